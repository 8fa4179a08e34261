"""Commands of the `reservations edge` group: render nginx's configuration, run nginx, render manifests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from reservations.edge.sync_cli import SyncInterval, open_host_sync, sync
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

if TYPE_CHECKING:
    from reservations.edge.config import EdgeOptions

app = typer.Typer(
    help="nginx in front of the API: render its configuration, run it, deploy it.", no_args_is_help=True
)
app.command()(sync)  # sync_cli.py: the registry's custom domains into a running nginx

Upstream = Annotated[
    str,
    typer.Option(
        help="API Gateway stage URL (https://<id>.execute-api.<region>.amazonaws.com/<stage>) "
        "or a local gateway (http://127.0.0.1:8080)."
    ),
]
TenantsMap = Annotated[
    Path | None,
    typer.Option(help='JSON object mapping host names to customers: {"star.hotels.example.com": "star"}.'),
]
Port = Annotated[int, typer.Option(help="Port nginx listens on.")]
Bind = Annotated[str, typer.Option(help="Address nginx listens on (0.0.0.0 in a container).")]
WebDir = Annotated[
    Path | None, typer.Option(help="Directory of the static page served at / (default: the repo's web/).")
]
LogDir = Annotated[
    str,
    typer.Option(help="Directory for access.log and error.log; '-' logs to stdout/stderr."),
]
Rate = Annotated[str, typer.Option(help="Requests per client address to /api/, e.g. 10r/s or 600r/m.")]
Burst = Annotated[int, typer.Option(help="Requests above the rate answered at once before 429.")]
Timeout = Annotated[int, typer.Option("--upstream-timeout", help="Seconds to wait for the API.")]
Resolver = Annotated[
    str | None,
    typer.Option(
        help="DNS server for an upstream host name "
        "(render: 169.254.169.253, the AWS VPC resolver; run: /etc/resolv.conf)."
    ),
]
CaBundle = Annotated[Path, typer.Option(help="CA bundle the upstream's TLS certificate is checked against.")]
Workers = Annotated[str, typer.Option(help="nginx worker processes: a number or 'auto'.")]
CustomerHostPattern = Annotated[
    str | None,
    typer.Option(
        help="Customer subdomains: {customer}.<domain> (e.g. '{customer}.hotels.example.com') maps each "
        "customer's subdomain to it by one regex."
    ),
]
PublicScheme = Annotated[
    str | None,
    typer.Option(
        help="Scheme browsers use: https behind a TLS-terminating load balancer (default: as received)."
    ),
]


def _fail(message: str, status: int) -> NoReturn:
    typer.echo(f"reservations edge: {message}", err=True)
    raise typer.Exit(status)


def _options(
    *,
    upstream: str,
    tenants_map: Path | None,
    port: int,
    bind: str,
    web_dir: Path | None,
    state_dir: Path,
    log_dir: str,
    rate: str,
    burst: int,
    upstream_timeout: int,
    resolver: str,
    ca_bundle: Path,
    workers: str,
    user: str | None,
    public_scheme: str | None,
    redirect_port: int | None = None,
    upstream_headers_file: Path | None = None,
    customer_host_pattern: str | None = None,
) -> EdgeOptions:
    from reservations.edge.config import EdgeConfigError, EdgeOptions, load_tenants, parse_upstream
    from reservations.edge.paths import default_web_dir
    from reservations.exit_status import ExitStatus

    try:
        return EdgeOptions(
            upstream=parse_upstream(upstream),
            tenants=load_tenants(tenants_map),
            port=port,
            bind=bind,
            web_dir=str((web_dir or default_web_dir()).absolute()),
            state_dir=str(state_dir.absolute()),
            log_dir=None if log_dir == "-" else str(Path(log_dir).absolute()),
            rate=rate,
            burst=burst,
            upstream_timeout_s=upstream_timeout,
            resolver=resolver,
            ca_bundle=str(ca_bundle),
            workers=workers,
            user=user,
            public_scheme=public_scheme,
            redirect_port=redirect_port,
            upstream_headers_file=None if upstream_headers_file is None else str(upstream_headers_file),
            customer_host_pattern=customer_host_pattern,
        )
    except EdgeConfigError as exc:
        _fail(str(exc), ExitStatus.USAGE)


@app.command()
def render(
    upstream: Upstream,
    out: Annotated[Path, typer.Option(help="Directory to write nginx.conf and tenants.map into.")],
    tenants_map: TenantsMap = None,
    port: Port = 8081,
    bind: Bind = "127.0.0.1",
    web_dir: WebDir = None,
    state_dir: Annotated[
        Path | None, typer.Option(help="Where nginx keeps its pid and temp files (default: --out).")
    ] = None,
    log_dir: LogDir = "-",
    rate: Rate = "10r/s",
    burst: Burst = 20,
    upstream_timeout: Timeout = 15,
    resolver: Resolver = None,
    ca_bundle: CaBundle = Path("/etc/ssl/certs/ca-certificates.crt"),
    workers: Workers = "auto",
    public_scheme: PublicScheme = None,
    user: Annotated[str | None, typer.Option(help="Worker user, only if nginx starts as root.")] = None,
    redirect_port: Annotated[
        int | None,
        typer.Option(help="Also listen here, plain HTTP: /healthz, and a 308 to https for anything else."),
    ] = None,
    upstream_headers_file: Annotated[
        Path | None,
        typer.Option(
            help="File of proxy_set_header directives included in /api/ (e.g. a WAF's secret header)."
        ),
    ] = None,
    customer_host_pattern: CustomerHostPattern = None,
) -> None:
    """Render nginx.conf (+ tenants.map) for a local gateway or for API Gateway."""
    from reservations.edge.config import AWS_VPC_RESOLVER
    from reservations.edge.render import render as render_files
    from reservations.edge.render import write
    from reservations.exit_status import ExitStatus

    options = _options(
        upstream=upstream,
        tenants_map=tenants_map,
        port=port,
        bind=bind,
        web_dir=web_dir,
        state_dir=state_dir or out,
        log_dir=log_dir,
        rate=rate,
        burst=burst,
        upstream_timeout=upstream_timeout,
        resolver=resolver or AWS_VPC_RESOLVER,
        ca_bundle=ca_bundle,
        workers=workers,
        user=user,
        public_scheme=public_scheme,
        redirect_port=redirect_port,
        upstream_headers_file=upstream_headers_file,
        customer_host_pattern=customer_host_pattern,
    )
    try:
        conf = write(render_files(options), out)
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}", ExitStatus.ERROR)
    typer.echo(str(conf))
    typer.echo(f"run it with: nginx -p {options.state_dir}/ -c {conf.absolute()}", err=True)


@app.command()
def run(
    upstream: Upstream,
    tenants_map: TenantsMap = None,
    port: Port = 8081,
    bind: Bind = "127.0.0.1",
    web_dir: WebDir = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where the config, pid, temp files (and logs) go (default: a temp dir, removed at exit)."
        ),
    ] = None,
    log_dir: LogDir = "-",
    rate: Rate = "10r/s",
    burst: Burst = 20,
    upstream_timeout: Timeout = 15,
    resolver: Resolver = None,
    ca_bundle: CaBundle = Path("/etc/ssl/certs/ca-certificates.crt"),
    workers: Workers = "auto",
    public_scheme: PublicScheme = None,
    nginx: Annotated[
        str | None,
        typer.Option(envvar="RESERVATIONS_NGINX", help="nginx binary (default: PATH, /usr/sbin/nginx)."),
    ] = None,
    customer_host_pattern: CustomerHostPattern = None,
    sync_hosts: Annotated[
        bool,
        typer.Option(
            "--sync-hosts",
            help="Custom domains from the registry (`tenants hosts add`) instead of --tenants-map, "
            "re-read while nginx runs; a change reloads nginx gracefully.",
        ),
    ] = False,
    sync_interval: SyncInterval = 5.0,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Run nginx in the foreground in front of a running gateway, until SIGTERM or Ctrl-C."""
    import os
    import pwd
    import shutil
    import tempfile

    from reservations.edge import runner
    from reservations.edge.paths import system_resolver
    from reservations.edge.render import render as render_files
    from reservations.edge.render import write
    from reservations.exit_status import ExitStatus

    try:
        binary = runner.find_nginx(nginx)
    except runner.NginxNotFoundError as exc:
        _fail(str(exc), ExitStatus.USAGE)
    if sync_hosts and tenants_map is not None:
        _fail("--sync-hosts reads the custom domains from the registry: drop --tenants-map", ExitStatus.USAGE)
    if not 0.1 <= sync_interval <= 3600:
        _fail(f"--sync-interval {sync_interval} must be between 0.1 and 3600 seconds", ExitStatus.USAGE)
    temporary = state_dir is None
    state = Path(tempfile.mkdtemp(prefix="reservations-edge-")) if state_dir is None else state_dir.absolute()
    try:
        # Started as root, nginx would switch its workers to "nobody", who cannot read a private
        # state or web directory: keep the invoking user instead.
        user = pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None
        options = _options(
            upstream=upstream,
            tenants_map=tenants_map,
            port=port,
            bind=bind,
            web_dir=web_dir,
            state_dir=state,
            log_dir=log_dir,
            rate=rate,
            burst=burst,
            upstream_timeout=upstream_timeout,
            resolver=resolver or system_resolver(),
            ca_bundle=ca_bundle,
            workers=workers,
            user=user,
            public_scheme=public_scheme,
            customer_host_pattern=customer_host_pattern,
        )
        busy = runner.port_free(options.bind, options.port)
        if busy is not None:
            _fail(
                f"cannot listen on {options.bind}:{options.port}: {busy.strerror or busy}", ExitStatus.USAGE
            )
        if not Path(options.web_dir).is_dir():
            typer.echo(
                f"reservations edge: warning: no web page at {options.web_dir} (/ will answer 404)", err=True
            )
        try:
            state.mkdir(parents=True, exist_ok=True)
            if options.log_dir is not None:
                Path(options.log_dir).mkdir(parents=True, exist_ok=True)
            conf = write(render_files(options), state)
        except OSError as exc:
            _fail(f"cannot write the configuration into {state}: {exc.strerror or exc}", ExitStatus.ERROR)
        busy = runner.port_free(options.bind, options.port)
        if busy is not None:
            _fail(
                f"cannot listen on {options.bind}:{options.port}: {busy.strerror or busy}", ExitStatus.USAGE
            )
        every = None
        if sync_hosts:  # the registry's map replaces the empty one just written, before nginx starts
            host_sync = open_host_sync(data_dir, store, dynamodb_endpoint, conf.parent, state)
            every = (sync_interval, host_sync.poll)
        check = runner.check_config(binary, state, conf)
        if not check.ok:
            last = check.output.splitlines()[-1] if check.output else "no reason given"
            _fail(f"nginx refused the configuration: {last}", ExitStatus.ERROR)
        typer.echo(
            f"edge: http://{bind}:{port} -> {options.upstream.url} (state in {state}; Ctrl-C stops)", err=True
        )
        status = runner.run_foreground(binary, state, conf, every)
        if status != 0:
            where = f" (see {options.log_dir}/error.log)" if options.log_dir else ""
            _fail(f"nginx exited with status {status}{where}", ExitStatus.ERROR)
    finally:
        if temporary:
            shutil.rmtree(state, ignore_errors=True)


@app.command()
def k8s(
    image: Annotated[
        str, typer.Option(help="Edge image, pinned: <ECR repo>@sha256:<digest> or <repo>:<version>.")
    ],
    upstream: Annotated[str, typer.Option(help="API Gateway stage URL (https only).")],
    certificate_arn: Annotated[str, typer.Option(help="ACM certificate the NLB terminates TLS with.")],
    tenants_map: TenantsMap = None,
    namespace: Annotated[str, typer.Option(help="Namespace to deploy into.")] = "reservations-edge",
    rate: Rate = "10r/s",
    burst: Burst = 20,
    manifests: Annotated[
        Path | None, typer.Option(help="Directory of the base manifests (default: the repo's deploy/k8s).")
    ] = None,
) -> None:
    """Print the Kubernetes manifests (with the rendered nginx.conf) for one image and upstream."""
    from reservations.edge.config import EdgeConfigError
    from reservations.edge.k8s import K8sParams, render_manifests
    from reservations.edge.paths import default_manifests_dir
    from reservations.exit_status import ExitStatus

    try:
        text = render_manifests(
            manifests or default_manifests_dir(),
            K8sParams(
                image=image,
                upstream=upstream,
                certificate_arn=certificate_arn,
                tenants_map=tenants_map,
                namespace=namespace,
                rate=rate,
                burst=burst,
            ),
        )
    except EdgeConfigError as exc:
        _fail(str(exc), ExitStatus.USAGE)
    typer.echo(text, nl=False)
