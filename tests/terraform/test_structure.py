"""Layout, variables, outputs and module calls of the Terraform configuration, from the parsed files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .hcl import META_ARGUMENTS, ROOT, TERRAFORM, all_modules, load_module, module_dirs, parse_file, tf_files

MODULES = (
    "cell",
    "customer_table",
    "lambda_function",
    "rest_api",
    "iam",
    "eks",
    "edge",
    "cluster_scheduler",
    "build",
    "web",
    "ecr",
    "monitoring",
    "deployment",
    "backup",
    "synthetic_check",
    "channel_sync",
    "directory",
)

# Variables where no value of the declared type is implausible, so a validation would check nothing.
NO_VALIDATION_NEEDED = {
    "tags",  # any string map is a valid tag set
    "source_version",  # any branch, tag or commit name
    "web_source_dir",  # any directory (null: the repository's web/)
    "description",  # free text
    "environment",  # any string map
    "function_invoke_arns",  # outputs of the lambda_function module, by catalogue name
    "function_names",  # in rest_api: outputs of the lambda_function module
    "authorizer_function",  # a catalogue name, looked up in var.functions
    "build_image",  # any CodeBuild image reference
    "resources",  # Kubernetes quantities; the API server validates them
}


# What a .tf file of ours may declare at its top level.
TOP_LEVEL_BLOCKS = {
    *("terraform", "provider", "variable", "output", "locals", "module", "resource", "data"),
    *("check", "moved", "removed", "import"),
}


def test_every_tracked_tf_file_is_read_by_these_checks_and_declares_blocks() -> None:
    """The checks here walk ``tf_files()``: it must reach every .tf file git tracks (a file it missed
    would escape every check), and each must parse into Terraform blocks."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "terraform/*.tf"], cwd=ROOT, capture_output=True, check=True
    )
    tracked = {ROOT / name for name in listed.stdout.decode().split("\0") if name}
    assert tracked, "git lists no .tf file"
    assert tracked <= set(tf_files()), sorted(tracked - set(tf_files()))
    for file in tf_files():
        blocks = set(parse_file(file))
        assert blocks, f"{file.relative_to(ROOT)} declares nothing"
        assert blocks <= TOP_LEVEL_BLOCKS, f"{file.relative_to(ROOT)}: {sorted(blocks - TOP_LEVEL_BLOCKS)}"


def test_a_broken_tf_file_does_not_parse(tmp_path: Path) -> None:
    """So a file that parses above is well-formed HCL, not text the parser skipped over."""
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "page" {\n  bucket = "a"\n')
    with pytest.raises(Exception, match=r"(?i)unexpected|expect"):
        parse_file(broken)


@pytest.mark.parametrize("name", MODULES)
def test_module_has_the_standard_files(name: str) -> None:
    path = TERRAFORM / "modules" / name
    for file in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (path / file).is_file(), f"modules/{name}/{file} is missing"
    module = load_module(path)
    assert module.outputs, f"modules/{name} has no outputs"
    readme = (path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {name}"), f"modules/{name}/README.md must start with its name"


def test_cell_root_and_example_layout() -> None:
    """One root per cell (terraform/cell, applied once per cells/<cell>.tfvars) and examples that each
    stand on their own (docs/cells.md): every one a root with its tests beside it."""
    cell = TERRAFORM / "cell"
    for file in (
        "versions.tf",
        "providers.tf",
        "cell.tf",
        "variables.tf",
        "outputs.tf",
        "main.tf",
        "migration.tf",
        "functions.auto.tfvars.json",
        "terraform.tfvars.example",
        "cells/c1.tfvars",
        "cells/c2.tfvars",
        "tests/cell.tftest.hcl",
        ".terraform.lock.hcl",
    ):
        assert (cell / file).is_file(), f"terraform/cell/{file}"
    example = TERRAFORM / "examples" / "complete"
    for file in ("main.tf", "outputs.tf", "versions.tf", "README.md", ".terraform.lock.hcl"):
        assert (example / file).is_file(), file
    assert list((example / "tests").glob("*.tftest.hcl")), "examples/complete has no terraform test"
    assert list((TERRAFORM / "modules" / "cell" / "tests").glob("*.tftest.hcl"))
    assert {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()} == set(MODULES)
    assert not list(TERRAFORM.glob("*.tf")), "terraform/ itself is no root any more: terraform/cell is"


def test_no_module_configures_a_provider() -> None:
    """The module is the same in every account: only a root (a cell's, an example) says which."""
    for name in MODULES:
        module = load_module(TERRAFORM / "modules" / name)
        assert not module.providers, f"modules/{name} has a provider block"
    assert load_module(TERRAFORM / "cell").providers, "terraform/cell configures no provider"


def test_versions_pin_terraform_and_providers() -> None:
    for directory in module_dirs():
        module = load_module(directory)
        assert module.terraform, f"{module.name} has no terraform block"
        settings = module.terraform[0]
        assert re.fullmatch(r">= ?1\.([6-9]|\d\d)\.\d+", settings["required_version"]), module.name
        providers = (
            settings["required_providers"][0]
            if isinstance(settings["required_providers"], list)
            else settings["required_providers"]
        )
        for provider, spec in providers.items():
            assert spec["source"] in {"hashicorp/aws", "hashicorp/kubernetes"}, (module.name, provider)
            assert spec["version"], (module.name, provider)
        if "aws" in providers:
            constraint = providers["aws"]["version"]
            assert re.search(r">= ?5\.\d+", constraint), constraint
            assert re.search(r"< ?7\.0", constraint), constraint


def test_cloud_block_is_documented_in_versions_tf() -> None:
    text = (TERRAFORM / "cell" / "versions.tf").read_text(encoding="utf-8")
    assert re.search(r"^\s*# cloud \{", text, flags=re.M), (
        "the optional cloud {} block must be shown (commented)"
    )
    assert "workspaces" in text


def test_every_variable_has_description_and_type_and_plausible_validation() -> None:
    missing_validation = []
    for module in all_modules():
        for name, body in module.variables.items():
            assert body.get("description"), f"{module.name}: variable {name} has no description"
            assert body.get("type"), f"{module.name}: variable {name} has no type"
            kind = str(body["type"])
            if "validation" in body or kind in {"${bool}", "bool"} or name in NO_VALIDATION_NEEDED:
                continue
            missing_validation.append(f"{module.name}:{name}")
    assert not missing_validation, f"variables without validation: {missing_validation}"


def test_every_output_has_a_description() -> None:
    for module in all_modules():
        for name, body in module.outputs.items():
            assert body.get("description"), f"{module.name}: output {name} has no description"


def test_every_module_call_passes_all_required_and_only_declared_variables() -> None:
    calls = 0
    for module in all_modules():
        for call, arguments in module.module_calls.items():
            source = (module.path / arguments["source"]).resolve()
            assert source.is_dir(), f"{module.name}: module {call} points at missing {arguments['source']}"
            target = load_module(source)
            passed = set(arguments) - META_ARGUMENTS
            declared = set(target.variables)
            required = {name for name, body in target.variables.items() if "default" not in body}
            assert not passed - declared, (
                f"{module.name}: module {call} passes undeclared {sorted(passed - declared)}"
            )
            assert not required - passed, (
                f"{module.name}: module {call} misses required {sorted(required - passed)}"
            )
            calls += 1
    assert calls >= 12


def declared_in_files(directory: Path) -> set[str]:
    """The variables a directory's own .tf files declare (a link to another module's file is not its own)."""
    names: set[str] = set()
    for file in directory.glob("*.tf"):
        if not file.is_symlink():
            for block in parse_file(file).get("variable", []):
                names.update(block)
    return names


def test_each_variable_is_declared_once() -> None:
    """The cell root accepts exactly the module's inputs through a link to its variables.tf, and passes
    each one on; an example declares nothing the module declares (it writes values)."""
    cell_module = TERRAFORM / "modules" / "cell"
    module_variables = set(load_module(cell_module).variables)
    linked = TERRAFORM / "cell" / "variables.tf"
    assert linked.is_symlink()
    assert linked.resolve() == (cell_module / "variables.tf").resolve()
    call = load_module(TERRAFORM / "cell").module_calls["cell"]
    assert set(call) - META_ARGUMENTS == module_variables
    assert not declared_in_files(TERRAFORM / "cell") & module_variables
    for example in (TERRAFORM / "examples").iterdir():
        assert not declared_in_files(example) & module_variables, example.name
    # The control root reaches its account as a cell's root does; the edge root takes the cells' inputs
    # as the edge module declares them.
    for link, target in (
        (TERRAFORM / "control" / "providers.tf", TERRAFORM / "cell" / "providers.tf"),
        (TERRAFORM / "edge" / "variables_cells.tf", TERRAFORM / "modules" / "edge" / "variables_cells.tf"),
    ):
        assert link.is_symlink(), link
        assert link.resolve() == target.resolve(), link
    edge_cells = {
        name
        for block in parse_file(TERRAFORM / "modules" / "edge" / "variables_cells.tf")["variable"]
        for name in block
    }
    assert not declared_in_files(TERRAFORM / "edge") & edge_cells
    assert edge_cells <= set(load_module(TERRAFORM / "edge").module_calls["edge"])


def test_cell_tfvars_example_sets_every_cell_root_variable() -> None:
    text = (TERRAFORM / "cell" / "terraform.tfvars.example").read_text(encoding="utf-8")
    assigned = set(re.findall(r"^([a-z_]+)\s*=", text, flags=re.M))
    generated_elsewhere = {"functions", "web_source_dir"}
    variables = set(load_module(TERRAFORM / "cell").variables) - generated_elsewhere
    assert assigned == variables, sorted(variables ^ assigned)


def test_each_cell_sets_only_cell_root_variables_and_its_own_account() -> None:
    variables = set(load_module(TERRAFORM / "cell").variables)
    accounts = set()
    for cell in sorted((TERRAFORM / "cell" / "cells").glob("*.tfvars")):
        values = parse_file(cell)
        assert set(values) <= variables, (cell.name, sorted(set(values) - variables))
        assert {"account_id", "region", "name"} <= set(values), cell.name
        accounts.add(values["account_id"])
    assert len(accounts) >= 2, "two cells, two accounts"


def test_terraform_files_are_not_left_in_the_repo_root() -> None:
    stray = [p for p in ROOT.glob("*.tf")] + [p for p in Path(ROOT / "terraform").glob("*.tfstate*")]
    assert not stray, stray
