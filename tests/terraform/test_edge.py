"""The edge module's nginx.conf template is generated from ``reservations.edge`` and main.tf feeds it.

Its behaviour under real nginx (rendered by Terraform's own ``templatefile()``) is tested in
``tests/edge/test_edge_eks.py``; here: the committed file is current, the generator's ``--check``
catches a stale or hand-edited one, and main.tf passes exactly the template's variables, with the
values the renderer's EKS defaults describe.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

from reservations.edge.eks import (
    CELLS_TERRAFORM_TEMPLATE,
    TERRAFORM_TEMPLATE,
    VARIABLES,
    EksValues,
    render_eks,
    terraform_cells_template,
    terraform_template,
)
from reservations.edge.render import customer_host_suffix_regex

from .console import evaluate
from .hcl import ROOT, child

MODULE = ROOT / "terraform" / "modules" / "edge"


def templatefile_arguments() -> dict[str, str]:
    """``name = expression`` of the values main.tf passes templatefile(), as written (comments dropped)."""
    main = (MODULE / "main.tf").read_text(encoding="utf-8")
    call = re.search(r"  template_values = \{\n(.*?)\n  \}\n", main, re.S)
    assert call, "modules/edge/main.tf must pass local.template_values to templatefile()"
    assert (
        'templatefile("${path.module}/templates/${local.nginx_template}", merge(local.template_values' in main
    )
    arguments = {}
    for line in call.group(1).splitlines():
        if line.strip().startswith("#"):
            continue
        name, _, expression = line.partition("=")
        arguments[name.strip()] = expression.split(" #", 1)[0].strip()
    return arguments


def test_committed_template_is_what_the_renderer_makes() -> None:
    assert TERRAFORM_TEMPLATE.read_text(encoding="utf-8") == terraform_template(), (
        "terraform/modules/edge/templates/nginx.conf.tftpl is stale: run make tfvars"
    )
    assert CELLS_TERRAFORM_TEMPLATE.read_text(encoding="utf-8") == terraform_cells_template(), (
        "terraform/modules/edge/templates/nginx-cells.conf.tftpl is stale: run make tfvars"
    )


def test_module_passes_exactly_the_template_variables() -> None:
    text = TERRAFORM_TEMPLATE.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{([a-z_]+)\}", text)) == set(VARIABLES)
    assert set(templatefile_arguments()) == set(VARIABLES)
    assert "nginx_conf" in child("edge").locals


def test_main_tf_passes_the_pods_values() -> None:
    """The constants main.tf passes are the EKS defaults the renderer (and its tests) assume."""
    arguments = templatefile_arguments()
    for field in dataclasses.fields(EksValues):
        if field.default is dataclasses.MISSING:
            continue
        written = arguments[field.name]
        if written.startswith(("var.", "local.")):
            continue
        value = written.strip('"') if written.startswith('"') else int(written)
        assert value == field.default, (
            f"main.tf passes {field.name} = {written}, the renderer assumes {field.default!r}"
        )
    assert arguments["rate_limit_per_sec"] == "var.rate_limit_per_sec"
    assert arguments["rate_limit_burst"] == "var.rate_limit_burst"
    main = (MODULE / "main.tf").read_text(encoding="utf-8")
    # The pod: nginx's prefix is the emptyDir the state lives in; the Secret is mounted where included.
    assert 'args = ["-p", "/tmp/", "-c", "/etc/nginx/edge/nginx.conf"]' in main
    assert 'mount_path = "/etc/nginx/edge-secret"' in main
    assert '"edge-header.conf" =' in main


def test_generator_check_mode_catches_a_stale_edge_template(tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "gen-tfvars.py")
    copy = tmp_path / "nginx.conf.tftpl"
    copy.write_text(terraform_template().replace("proxy_ssl_verify on;", "proxy_ssl_verify off;"))
    stale = subprocess.run(
        [sys.executable, script, "--check", "--edge-target", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stale.returncode == 1
    assert "nginx.conf.tftpl is stale" in stale.stderr
    rewritten = subprocess.run(
        [sys.executable, script, "--edge-target", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert rewritten.returncode == 0, rewritten.stderr
    assert copy.read_text(encoding="utf-8") == terraform_template()


HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"
VARIABLES_GIVEN = {
    "upstream_url": f"https://{HOST}/prod/",
    "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/reservations-edge:1.0.0",
    "certificate_arn": "arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012",
    "registry_table": "reservations-customers",
    "region": "eu-west-1",
}


def module_locals(tmp_path: Path) -> Path:
    """main.tf's locals with the variables files and the templates: what Terraform evaluates without a provider
    (the module's kubernetes provider cannot be installed everywhere; its locals need none)."""
    main = (MODULE / "main.tf").read_text(encoding="utf-8")
    locals_block = re.search(r"^locals \{\n.*?^\}\n", main, re.S | re.M)
    assert locals_block, "modules/edge/main.tf has no locals block"
    (tmp_path / "locals.tf").write_text(locals_block.group(0), encoding="utf-8")
    for variables in MODULE.glob("variables*.tf"):
        shutil.copy(variables, tmp_path / variables.name)
    shutil.copytree(MODULE / "templates", tmp_path / "templates")
    return tmp_path


def test_the_modules_own_nginx_conf_is_the_renderers(tmp_path: Path) -> None:
    """main.tf's locals (its templatefile() call as written) and variables.tf, evaluated by Terraform: the
    module's nginx.conf for an upstream URL is what ``reservations.edge`` renders for the pod."""
    module_locals(tmp_path)
    host, variables = HOST, VARIABLES_GIVEN
    conf = evaluate("local.nginx_conf", tmp_path, variables)
    assert conf == render_eks(EksValues(upstream_host=host, upstream_path="/prod"))
    bare = evaluate(
        "local.nginx_conf",
        tmp_path,
        {**variables, "upstream_url": f"https://{host}", "rate_limit_per_sec": "3"},
    )
    assert bare == render_eks(EksValues(upstream_host=host, rate_limit_per_sec=3))
    # Terraform escapes the customer host pattern's domain as the renderer does.
    pattern = "{customer}.hotels-1.example.com"
    subdomains = evaluate("local.nginx_conf", tmp_path, {**variables, "customer_host_pattern": pattern})
    suffix = customer_host_suffix_regex(pattern)
    assert suffix == r"\.hotels-1\.example\.com"
    assert subdomains == render_eks(
        EksValues(upstream_host=host, upstream_path="/prod", customer_host_suffix_regex=suffix)
    )
    assert f"{suffix}$" in subdomains


def test_the_cells_variable_renders_the_cells_configuration(tmp_path: Path) -> None:
    """With ``cells``, the module's nginx.conf is the renderer's cells configuration for those cells
    (sorted by name, the first the default), the cells.map include in it; a stage path other than
    upstream_url's fails the module's check."""
    module_locals(tmp_path)
    hosts = {"c2": "c2stage000.execute-api.eu-west-1.amazonaws.com", "c1": HOST}
    cells = (
        "{"
        + ", ".join(f'{name} = {{ api_url = "https://{host}/prod" }}' for name, host in hosts.items())
        + "}"
    )
    conf = evaluate("local.nginx_conf", tmp_path, {**VARIABLES_GIVEN, "cells": cells})
    assert conf == render_eks(EksValues(upstream_host=HOST, upstream_path="/prod"), hosts)
    assert isinstance(conf, str)
    assert "include cells.map;" in conf
    assert f'cell_c2 "{hosts["c2"]}:443";' in conf
    assert conf.count("default cell_c1;") == 2
    assert evaluate("local.cell_stage_ok", tmp_path, {**VARIABLES_GIVEN, "cells": cells}) is True
    other = cells.replace(f"{HOST}/prod", f"{HOST}/v2")
    assert evaluate("local.cell_stage_ok", tmp_path, {**VARIABLES_GIVEN, "cells": other}) is False
    # Without cells, the single-API configuration, byte for byte as before.
    assert evaluate("local.nginx_conf", tmp_path, VARIABLES_GIVEN) == render_eks(
        EksValues(upstream_host=HOST, upstream_path="/prod")
    )


def test_the_cells_variable_runs_the_directory_sync(tmp_path: Path) -> None:
    """With ``cells``, the init container and the sidecar (both ``local.sync_command`` and
    ``local.sync_env``) run ``edge sync --cells`` on the directory, as its read role, in its region."""
    module_locals(tmp_path)
    role = "arn:aws:iam::444455556666:role/reservations-directory-read"
    cells = (
        '{c2 = { api_url = "https://c2.example.com/prod" }, c1 = { api_url = "https://c1.example.com/prod" }}'
    )
    given = {**VARIABLES_GIVEN, "cells": cells, "directory_role_arn": role, "directory_region": "us-east-1"}
    command = evaluate("local.sync_command", tmp_path, given)
    assert isinstance(command, list)
    assert command[-2:] == ["--cells", "c1,c2"]
    assert evaluate("local.sync_env", tmp_path, given) == {
        "AWS_REGION": "us-east-1",
        "RESERVATIONS_TABLE_PREFIX": "",
        "RESERVATIONS_DIRECTORY_ROLE_ARN": role,
    }
    # Without cells: the custom-domain sync on this cell's registry, as before.
    assert "--cells" not in str(evaluate("local.sync_command", tmp_path, VARIABLES_GIVEN))
    assert evaluate("local.sync_env", tmp_path, VARIABLES_GIVEN) == {
        "RESERVATIONS_REGISTRY_TABLE": "reservations-customers",
        "AWS_REGION": "eu-west-1",
    }
    main = (MODULE / "main.tf").read_text(encoding="utf-8")
    # Both containers run that command with that environment.
    assert main.count("command           = concat(local.sync_command, [") == 2
    assert main.count("for_each = local.sync_env") == 2


def test_cells_without_a_stage_have_no_stage_rewrite(tmp_path: Path) -> None:
    """The template's ``%{ if upstream_path != "" }``: a stage-less API, as the renderer has it."""
    module_locals(tmp_path)
    cells = f'{{c1 = {{ api_url = "https://{HOST}" }}}}'
    conf = evaluate(
        "local.nginx_conf", tmp_path, {**VARIABLES_GIVEN, "upstream_url": f"https://{HOST}", "cells": cells}
    )
    assert conf == render_eks(EksValues(upstream_host=HOST), {"c1": HOST})
    assert isinstance(conf, str)
    assert "rewrite ^(.*)$" not in conf
    assert "rewrite ^(.*)$ /prod$1 break;" in render_eks(
        EksValues(upstream_host=HOST, upstream_path="/prod"), {"c1": HOST}
    )
