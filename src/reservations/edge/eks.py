"""The edge as Terraform's ``modules/edge`` runs it on EKS, and the template Terraform renders it from.

Terraform cannot run Python, so the module reads ``templates/nginx.conf.tftpl`` with ``templatefile()``.
That file is generated here (``make tfvars``; ``scripts/gen-tfvars.py --check`` fails when it is stale):
the configuration ``reservations edge render`` writes, with the values Terraform knows only at plan
time replaced by ``${name}`` placeholders.  So what runs in AWS is the configuration the tests drive
under real nginx, not a second hand-written copy.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from reservations.edge.config import (
    AWS_VPC_RESOLVER,
    DEFAULT_CA_BUNDLE,
    EdgeConfigError,
    EdgeOptions,
    Upstream,
    parse_upstream,
)
from reservations.edge.paths import REPO_ROOT
from reservations.edge.render import NO_SUBDOMAINS, STAGE_REWRITE, compose, leaves

TERRAFORM_TEMPLATE = REPO_ROOT / "terraform" / "modules" / "edge" / "templates" / "nginx.conf.tftpl"
# In front of cells (``var.cells`` not empty): the same renderer's cells configuration, its per-cell
# lines in Terraform ``%{ for name, host in cells }`` loops over the cells' API Gateway hosts.
CELLS_TERRAFORM_TEMPLATE = TERRAFORM_TEMPLATE.with_name("nginx-cells.conf.tftpl")
TARGET = "eks"
# "auto" would count the node's CPUs, not the pod's CPU limit.
WORKERS = "2"


@dataclass(frozen=True)
class EksValues:
    """The variables ``modules/edge/main.tf`` passes to ``templatefile()``, with the values it passes.

    One field per ``${name}`` of the template (a test holds main.tf, this class and the template to the
    same names); the defaults are the pod's: the image's paths, the ConfigMap's and Secret's mounts.
    """

    upstream_host: str  # the API Gateway stage's host name
    upstream_path: str = ""  # the stage, e.g. "/prod"
    upstream_port: int = 443
    rate_limit_per_sec: int = 20
    rate_limit_burst: int = 40
    listen_port: int = 8080  # the NLB's 443 (TLS ends there) arrives here
    redirect_port: int = 8081  # the NLB's 80 arrives here
    resolver: str = AWS_VPC_RESOLVER
    ca_bundle: str = str(DEFAULT_CA_BUNDLE)  # Debian's, in the image
    edge_header_path: str = "/etc/nginx/edge-secret/edge-header.conf"  # the mounted Secret
    state_dir: str = "/tmp"  # the pod's memory emptyDir, nginx's -p prefix
    web_root: str = "/srv/web"  # baked into the image (deploy/k8s/Dockerfile)
    # Terraform's escaped domain of var.customer_host_pattern ("\\.hotels\\.example\\.com"), or the
    # regex matching nothing when it is null: what ``render.customer_host_suffix_regex`` makes.
    customer_host_suffix_regex: str = NO_SUBDOMAINS


VARIABLES = tuple(f.name for f in dataclasses.fields(EksValues))


# The one cell the cells template is rendered with; its lines become the loop's body.
_CELL, _CELL_HOST = "zz-cell", "zz-cell.invalid"


def _https(host: str, values: EksValues) -> Upstream:
    port = "" if values.upstream_port == 443 else f":{values.upstream_port}"
    upstream = parse_upstream(f"https://{host}{port}{values.upstream_path}")
    if upstream.is_static:
        raise EdgeConfigError(f"{host!r} must be a host name (API Gateway's)")
    return upstream


def eks_options(values: EksValues, cells: dict[str, str] | None = None) -> EdgeOptions:
    """The options the EKS configuration is rendered with, for concrete values; with ``cells`` (name ->
    its API Gateway host, sharing ``upstream_path`` and ``upstream_port``), in front of those cells."""
    upstream = _https(values.upstream_host, values)
    return EdgeOptions(
        upstream=upstream,
        port=values.listen_port,
        bind="0.0.0.0",
        web_dir=values.web_root,
        state_dir=values.state_dir,
        log_dir=None,  # the container's stdout and stderr
        rate=f"{values.rate_limit_per_sec}r/s",
        burst=values.rate_limit_burst,
        resolver=values.resolver,
        ca_bundle=values.ca_bundle,
        workers=WORKERS,
        public_scheme="https",  # the NLB terminates TLS
        redirect_port=values.redirect_port,
        upstream_headers_file=values.edge_header_path,
        # Terraform iterates a map in its keys' order: so does the rendered configuration.
        cells=tuple((name, _https(host, values)) for name, host in sorted((cells or {}).items())),
    )


def render_eks(values: EksValues, cells: dict[str, str] | None = None) -> str:
    """The EKS nginx.conf for concrete values: what Terraform makes of the template with the same values
    (with ``cells``, of the cells template, given them as its ``cells`` map)."""
    options = eks_options(values, cells)
    given = {"customer_host_suffix_regex": values.customer_host_suffix_regex}
    return compose(options, leaves(options, target=TARGET) | given)


def terraform_template() -> str:
    """``nginx.conf.tftpl``: the EKS configuration with a ``${name}`` wherever a variable's value goes.

    The shape (re-resolved upstream over verified TLS, redirect server, header include, HSTS) is fixed
    by EKS; only leaf values are placeholders.  Every rate in r/s waits one second for the next request,
    so Retry-After is the same for every ``rate_limit_per_sec``.
    """
    options = eks_options(EksValues(upstream_host="placeholder.invalid"))
    text = compose(options, _placeholders(options))
    _check_syntax(text, set(VARIABLES))
    return text


def _placeholders(options: EdgeOptions) -> dict[str, str]:
    """The leaves, with a ``${name}`` for each value Terraform passes."""
    host = "${upstream_host}"
    return leaves(options, target=TARGET) | {
        "upstream_url": "https://" + host + "${upstream_path}",
        "upstream_address": host + ":${upstream_port}",
        "upstream_host": host,
        "upstream_host_header": host,
        "upstream_base_path": "${upstream_path}",
        "resolver": "${resolver}",
        "ca_bundle": "${ca_bundle}",
        "state_dir": "${state_dir}",
        "rate": "${rate_limit_per_sec}r/s",
        "retry_after": "1",
        "burst": "${rate_limit_burst}",
        "listen": "0.0.0.0:${listen_port}",
        "redirect_listen": "0.0.0.0:${redirect_port}",
        "upstream_headers_file": "${edge_header_path}",
        "web_dir": "${web_root}",
        "customer_host_suffix_regex": "${customer_host_suffix_regex}",
    }


def _check_syntax(text: str, variables: set[str]) -> None:
    """Fails unless ``text`` uses exactly ``variables`` and no other Terraform template syntax."""
    # Terraform reads ${...} and %{...} as its own syntax; nginx's variables are $name, so anything
    # else of that form would be a template bug that Terraform would fail on (or silently interpret).
    found = set(re.findall(r"\$\{([a-z_]+)\}", text))
    if found != variables or "placeholder.invalid" in text:
        raise RuntimeError(f"the template's variables {sorted(found)} are not {sorted(variables)}")
    rest = re.sub(r"\$\{[a-z_]+\}", "", text)
    if "${" in rest or "%{" in rest:
        raise RuntimeError("the configuration itself contains Terraform template syntax (${ or %{)")


def terraform_cells_template() -> str:
    """``nginx-cells.conf.tftpl``: the EKS configuration in front of cells, rendered for one stand-in
    cell whose lines (its address, Host and certificate name) become ``%{ for }`` loops over ``cells``
    (name -> API Gateway host) and whose name, as the default cell, becomes the map's first key."""
    stand_in = EksValues(upstream_host="placeholder.invalid", upstream_path="/placeholder")
    options = eks_options(stand_in, {_CELL: _CELL_HOST})
    # The stage's rewrite only with a stage, as the renderer has it.
    rewrite = STAGE_REWRITE.format("${upstream_path}")
    text = compose(options, _placeholders(options))
    # The page is the first cell's (no web_root); each cell's host takes the port (upstream_port).
    used = set(VARIABLES) - {"web_root", "upstream_port"} | {"cell_host"}
    _check_syntax(text.replace(_CELL_HOST, "${cell_host}"), used)
    text = text.replace(rewrite, '%{ if upstream_path != "" ~}\n' + rewrite + "%{ endif ~}\n")
    text = text.replace(f"default cell_{_CELL};", "default cell_${keys(cells)[0]};")
    lines = []
    for line in text.splitlines(keepends=True):
        if _CELL in line:
            body = line.replace(f"{_CELL_HOST}:443", "${host}:${upstream_port}").replace(
                _CELL_HOST, "${host}"
            )
            lines += ["%{ for name, host in cells ~}\n", body.replace(_CELL, "${name}"), "%{ endfor ~}\n"]
        else:
            lines.append(line)
    return "".join(lines)
