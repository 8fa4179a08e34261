"""What the edge is rendered from, checked before any nginx directive is written.

Every value ends up inside ``nginx.conf``; a quote, ``;``, ``$`` or newline in a path, host or customer
name would change the meaning of the configuration (or inject directives), so values are checked
against narrow patterns here rather than escaped later.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from reservations.domain.tenancy import CUSTOMER_NAME_RE, is_host_name

DEFAULT_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Route 53 Resolver's link-local address: reachable from every pod of an EKS cluster in a VPC.
AWS_VPC_RESOLVER = "169.254.169.253"

_RATE = re.compile(r"[1-9][0-9]{0,6}r/[sm]")
_WORKERS = re.compile(r"(auto|[1-9][0-9]?)")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_STAGE = re.compile(r"(/[A-Za-z0-9._~-]+)*")
# Characters that would end a quoted nginx string, start a variable or a new directive.
_UNSAFE_PATH = re.compile(r"[\"'$;{}\\\s#]")
_LOOPBACK_NAMES = {"localhost"}
# A cell's name as it may appear in nginx's upstream names (the cells file's names: c1, c2, ...).
CELL_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")


class EdgeConfigError(ValueError):
    """A value the edge cannot be rendered from; the message names the flag or the file."""


@dataclass(frozen=True)
class Upstream:
    """Where ``/api/`` goes: the API Gateway stage URL, or a local gateway."""

    scheme: str  # "http" | "https"
    host: str
    port: int
    base_path: str  # "" or the stage, e.g. "/prod"

    @property
    def url(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}{port}{self.base_path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def is_static(self) -> bool:
        """An address that never changes (an IP literal or localhost) needs no DNS re-resolution.

        Any other host name (API Gateway's) is re-resolved through ``resolver`` while nginx runs:
        its addresses change, and nginx resolves a literal ``proxy_pass`` host only once at start.
        """
        return is_loopback_or_ip(self.host)


def is_loopback_or_ip(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_upstream(url: str) -> Upstream:
    """Accepts ``https://<host>[:port][/stage]`` or, on loopback only, ``http://127.0.0.1:PORT``.

    Plain HTTP to another machine is refused: the API key would cross the network in clear.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise EdgeConfigError(f"--upstream {url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise EdgeConfigError(f"--upstream {url!r} must start with https:// (or http:// on loopback)")
    host = (parts.hostname or "").lower()
    if not host:
        raise EdgeConfigError(f"--upstream {url!r} has no host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise EdgeConfigError(f"--upstream {url!r} must not carry credentials, a query or a fragment")
    if not is_loopback_or_ip(host) and not _valid_hostname(host):
        raise EdgeConfigError(f"--upstream {url!r}: {host!r} is not a valid host name")
    if parts.scheme == "http" and not _is_loopback(host):
        raise EdgeConfigError(
            f"--upstream {url!r}: plain http is allowed only to a loopback address; use https"
        )
    base_path = parts.path.rstrip("/")
    if not _STAGE.fullmatch(base_path):
        raise EdgeConfigError(f"--upstream {url!r}: the path {parts.path!r} is not a plain stage path")
    default_port = 443 if parts.scheme == "https" else 80
    return Upstream(parts.scheme, host, port or default_port, base_path)


def _is_address_and_port(value: str) -> bool:
    host, _, port = value.rpartition(":") if re.search(r"(\]|\.\d+):\d+$", value) else (value, "", "")
    if port and not 1 <= int(port) <= 65535:
        return False
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _valid_hostname(host: str) -> bool:
    return is_host_name(host.removesuffix("."))


def parse_tenants(raw: object, source: str) -> dict[str, str]:
    """Host name -> customer name, host names lower-cased (nginx compares them that way)."""
    if not isinstance(raw, dict):
        raise EdgeConfigError(f'{source}: expected a JSON object {{"host.example.com": "customer"}}')
    tenants: dict[str, str] = {}
    for host, customer in raw.items():
        name = str(host).strip().lower().removesuffix(".")
        if not _valid_hostname(name) or "." not in name:
            raise EdgeConfigError(f"{source}: {host!r} is not a fully qualified host name")
        if not isinstance(customer, str) or not CUSTOMER_NAME_RE.fullmatch(customer):
            raise EdgeConfigError(
                f"{source}: the customer of {host!r} must be a customer name (2-40 of a-z, 0-9 and '-')"
            )
        if name in tenants:
            raise EdgeConfigError(f"{source}: {host!r} is listed twice")
        tenants[name] = customer
    return tenants


CUSTOMER_PLACEHOLDER = "{customer}"


def customer_host_domain(pattern: str) -> str:
    """The domain under which ``{customer}.<domain>`` names each customer's subdomain.

    The placeholder is a whole first label, so one nginx regex (the customer-name rule, then this
    domain) maps every customer, with no per-host configuration."""
    domain = pattern.strip().lower().removeprefix(CUSTOMER_PLACEHOLDER + ".").removesuffix(".")
    if not pattern.strip().lower().startswith(CUSTOMER_PLACEHOLDER + ".") or not (
        _valid_hostname(domain) and "." in domain
    ):
        raise EdgeConfigError(
            f"--customer-host-pattern {pattern!r} must be {CUSTOMER_PLACEHOLDER}.<domain>, "
            "e.g. {customer}.hotels.example.com"
        )
    return domain


def load_tenants(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EdgeConfigError(f"--tenants-map {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EdgeConfigError(f"--tenants-map {path}: not valid JSON ({exc})") from None
    return parse_tenants(raw, f"--tenants-map {path}")


def check_path(flag: str, path: Path | str) -> str:
    """An absolute path safe to write inside a quoted nginx directive."""
    text = str(path)
    if not text.startswith("/"):
        raise EdgeConfigError(f"{flag} {text!r} must be an absolute path")
    if _UNSAFE_PATH.search(text):
        raise EdgeConfigError(f"{flag} {text!r} contains a quote, '$', ';', '#', braces or whitespace")
    return text.rstrip("/") or "/"


@dataclass(frozen=True)
class EdgeOptions:
    """Everything ``nginx.conf`` depends on; one value per ``reservations edge render`` flag."""

    upstream: Upstream
    port: int
    web_dir: str
    state_dir: str
    log_dir: str | None  # None: access log to stdout, error log to stderr (containers)
    tenants: dict[str, str] = field(default_factory=dict)
    bind: str = "127.0.0.1"
    rate: str = "10r/s"
    burst: int = 20
    upstream_timeout_s: int = 15
    resolver: str = AWS_VPC_RESOLVER
    ca_bundle: str = str(DEFAULT_CA_BUNDLE)
    workers: str = "auto"
    user: str | None = None  # only when nginx starts as root (workers would otherwise be "nobody")
    # The scheme browsers use, when a load balancer in front terminates TLS; None: as nginx received it.
    public_scheme: str | None = None
    # A second, plain-HTTP port that only redirects to https (308) and answers /healthz: where a
    # TLS-terminating load balancer sends its port 80.  None: no such server.
    redirect_port: int | None = None
    # A file of directives included in /api/ (the API's WAF header, mounted from a Secret so the
    # value never sits in nginx.conf).  None: nothing included.
    upstream_headers_file: str | None = None
    # Customer subdomains, "{customer}.hotels.example.com": every customer's host by one regex.
    # None: no subdomain maps (custom domains, tenants.map, still do).
    customer_host_pattern: str | None = None
    # Cells (issue #24): (name, API) of each cell, the first serving requests that name no customer;
    # the customer -> cell map is cells.map, kept by the directory's sync.  Empty: one API, ``upstream``.
    cells: tuple[tuple[str, Upstream], ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise EdgeConfigError(f"--port {self.port} is not a TCP port")
        if self.redirect_port is not None and not 1 <= self.redirect_port <= 65535:
            raise EdgeConfigError(f"--redirect-port {self.redirect_port} is not a TCP port")
        if self.redirect_port == self.port:
            raise EdgeConfigError(f"--redirect-port {self.redirect_port} must differ from --port")
        try:
            ipaddress.ip_address(self.bind)
        except ValueError:
            raise EdgeConfigError(f"--bind {self.bind!r} must be an IP address") from None
        if not _RATE.fullmatch(self.rate):
            raise EdgeConfigError(f"--rate {self.rate!r} must look like 10r/s or 600r/m")
        if not 0 <= self.burst <= 100_000:
            raise EdgeConfigError(f"--burst {self.burst} must be between 0 and 100000")
        if not 1 <= self.upstream_timeout_s <= 300:
            raise EdgeConfigError(f"--upstream-timeout {self.upstream_timeout_s} must be 1-300 seconds")
        if not _is_address_and_port(self.resolver):
            raise EdgeConfigError(
                f"--resolver {self.resolver!r} must be an IP address, with an optional :port"
            )
        if not _WORKERS.fullmatch(self.workers):
            raise EdgeConfigError(f"--workers {self.workers!r} must be 'auto' or a small number")
        if self.public_scheme not in (None, "http", "https"):
            raise EdgeConfigError(f"--public-scheme {self.public_scheme!r} must be http or https")
        if self.user is not None and not _USER.fullmatch(self.user):
            raise EdgeConfigError(f"--user {self.user!r} is not a user name")
        check_path("--web-dir", self.web_dir)
        check_path("--state-dir", self.state_dir)
        check_path("--ca-bundle", self.ca_bundle)
        if self.log_dir is not None:
            check_path("--log-dir", self.log_dir)
        if self.upstream_headers_file is not None:
            check_path("--upstream-headers-file", self.upstream_headers_file)
        if self.customer_host_pattern is not None:
            customer_host_domain(self.customer_host_pattern)
        self._check_cells()

    def _check_cells(self) -> None:
        names = [name for name, _ in self.cells]
        for name, upstream in self.cells:
            if not CELL_NAME_RE.fullmatch(name) or names.count(name) > 1:
                raise EdgeConfigError(f"cell {name!r}: a cell's name is 1-31 of a-z, 0-9 and '-', once each")
            # One scheme and stage for all: the edge's /api/ rewrite and TLS settings are shared.
            if (upstream.scheme, upstream.base_path) != (self.upstream.scheme, self.upstream.base_path):
                raise EdgeConfigError(
                    f"cell {name!r}: {upstream.url} must have the scheme and stage path of {self.upstream.url}"
                )
