"""Turns ``EdgeOptions`` into ``nginx.conf`` and ``tenants.map``, from the templates beside this module.

One template serves both targets (a local gateway over loopback HTTP, API Gateway over verified TLS);
the differences are whole fragments chosen here, so the rendered file never carries dead branches.
The placeholder syntax is ``{{name}}``: nginx itself uses ``$`` and braces, so neither
``string.Template`` nor ``str.format`` would leave the configuration alone.
"""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path

from reservations.edge.config import EdgeOptions

CONF_NAME = "nginx.conf"
TENANTS_NAME = "tenants.map"
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")

# nginx's own error statuses -> (contract error code, message, extra headers).
ERRORS: tuple[tuple[int, str, str, tuple[tuple[str, str], ...]], ...] = (
    (400, "validation_error", "The request is malformed", ()),
    (404, "not_found", "Nothing here", ()),
    (405, "method_not_allowed", "Method not allowed here", ()),
    (413, "payload_too_large", "The request body is larger than 16 KiB", ()),
    (414, "validation_error", "The request URI is too long", ()),
    (
        429,
        "rate_limited",
        "Too many requests from this address; retry shortly",
        (("Retry-After", "{{retry_after}}"),),
    ),
    (500, "internal_error", "The edge failed to handle the request", ()),
    (502, "bad_gateway", "The API is unreachable from the edge", ()),
    (503, "unavailable", "The edge is temporarily unavailable", (("Retry-After", "5"),)),
    (504, "gateway_timeout", "The API did not answer in time", ()),
)


def template(name: str) -> str:
    return resources.files("reservations.edge").joinpath("templates", name).read_text(encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    """Replaces every ``{{name}}``; an unknown name is a bug in the template, not in the input."""

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return _PLACEHOLDER.sub(substitute, text)


def retry_after_s(rate: str) -> int:
    """Seconds until the limiter lets one more request through: the interval between two at ``rate``."""
    count, unit = rate.removesuffix("r/s").removesuffix("r/m"), rate[-1]
    return max(1, math.ceil((60 if unit == "m" else 1) / int(count)))


def _error_locations(rate: str) -> str:
    blocks = []
    for status, code, message, headers in ERRORS:
        extra = "".join(f"            add_header {name} {value} always;\n" for name, value in headers)
        extra = extra.replace("{{retry_after}}", str(retry_after_s(rate)))
        body = '{"error":{"code":"%s","message":"%s"}}' % (code, message)  # noqa: UP031 (JSON braces)
        blocks.append(
            fill(
                template("error-location.tmpl"),
                {"status": str(status), "extra_headers": extra, "body": body},
            )
        )
    return "\n".join(blocks).rstrip("\n")


def render_conf(options: EdgeOptions, *, target: str | None = None) -> str:
    up = options.upstream
    address = f"[{up.host}]:{up.port}" if ":" in up.host else f"{up.host}:{up.port}"
    values = {
        "upstream_address": address,
        "upstream_host": up.host,
        "resolver": options.resolver,
        "ca_bundle": options.ca_bundle,
    }
    if up.is_static:
        upstream_block = fill(template("upstream-static.tmpl"), values)
        proxy_pass = f"{up.scheme}://edge_api"
    else:
        upstream_block = fill(template("upstream-dynamic.tmpl"), values)
        proxy_pass = f"{up.scheme}://$edge_upstream"
    tls_block = fill(template("tls.tmpl"), values) if up.scheme == "https" else ""
    if options.log_dir is None:
        access_log, error_log = "/dev/stdout", "stderr"
    else:
        access_log, error_log = f'"{options.log_dir}/access.log"', f'"{options.log_dir}/error.log"'
    listen = f"[{options.bind}]:{options.port}" if ":" in options.bind else f"{options.bind}:{options.port}"
    conf = fill(
        template("nginx.conf.tmpl"),
        {
            "target": target or ("aws" if up.scheme == "https" else "local"),
            "upstream_url": up.url,
            "workers": options.workers,
            "state_dir": options.state_dir.rstrip("/"),
            "error_log": error_log,
            "access_log": access_log,
            "user_directive": f"user {options.user};\n" if options.user else "",
            "rate": options.rate,
            "burst": str(options.burst),
            "upstream_timeout": str(options.upstream_timeout_s),
            "upstream_block": upstream_block,
            "listen": listen,
            "upstream_host_header": up.host_header,
            "tls_block": tls_block,
            "upstream_base_path": up.base_path,
            "proxy_pass": proxy_pass,
            "web_dir": options.web_dir,
            "public_scheme": options.public_scheme or "$scheme",
            # Browsers reach the page over https only when a load balancer terminates TLS in front.
            "hsts": '            add_header Strict-Transport-Security "max-age=31536000" always;\n'
            if options.public_scheme == "https"
            else "",
            "error_locations": _error_locations(options.rate),
        },
    )
    return re.sub(r"\n{3,}", "\n\n", conf)


def render_tenants(tenants: dict[str, str]) -> str:
    lines = ["# Host name -> customer; rendered by `reservations edge render` from the tenants JSON file."]
    lines += [f"{host} {customer};" for host, customer in sorted(tenants.items())]
    return "\n".join(lines) + "\n"


def render(options: EdgeOptions, *, target: str | None = None) -> dict[str, str]:
    """The files of one edge configuration, by name; ``nginx.conf`` includes ``tenants.map`` beside it."""
    return {CONF_NAME: render_conf(options, target=target), TENANTS_NAME: render_tenants(options.tenants)}


def write(files: dict[str, str], out_dir: Path) -> Path:
    """Writes the files into ``out_dir`` (created if needed); returns the path of ``nginx.conf``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return out_dir / CONF_NAME
