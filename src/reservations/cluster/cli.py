"""``reservations cluster ...``: the scheduler's steps run by hand with the user's own AWS credentials.

boto3's standard chain decides credentials, region and endpoint (``AWS_ENDPOINT_URL`` reaches moto
or LocalStack). Heavy modules are imported inside the commands to keep ``reservations --help`` quick.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reservations.exit_status import ExitStatus

if TYPE_CHECKING:
    from reservations.cluster.config import SchedulerConfig
    from reservations.cluster.outcome import Outcome
    from reservations.cluster.runner import Clients

app = typer.Typer(
    help="Tear the EKS cluster down and rebuild it (by hand or on a schedule); estimate the savings.",
    no_args_is_help=True,
)

ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="EKS cluster name [env RESERVATIONS_CLUSTER_NAME]")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Report what would be done; change nothing.")]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Repeat the step until the cycle is finished.")]
IntervalOpt = Annotated[float, typer.Option("--interval", min=0, help="Seconds between checks with --wait.")]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", min=0, help="Give up waiting after this many seconds.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")]


def _fail(message: str, status: ExitStatus) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(int(status))


def _config(cluster: str | None, **overrides: Any) -> SchedulerConfig:
    from reservations.cluster.config import ConfigError, SchedulerConfig

    try:
        config = SchedulerConfig.from_env(need_cluster=False).with_overrides(
            cluster_name=cluster, **overrides
        )
    except ConfigError as error:
        raise _fail(str(error), ExitStatus.USAGE) from None
    if not config.cluster_name:
        raise _fail(
            "no cluster given: pass --cluster NAME or set RESERVATIONS_CLUSTER_NAME", ExitStatus.USAGE
        )
    return config


def _aws_call(fn: Any) -> Any:
    """AWS connection problems become one line and exit 3; credentials problems exit 1."""
    from botocore.exceptions import (
        BotoCoreError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    try:
        return fn()
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        raise _fail(f"cannot reach AWS: {error}", ExitStatus.UNREACHABLE) from None
    except NoRegionError:
        raise _fail("no AWS region: set AWS_REGION or configure a profile", ExitStatus.USAGE) from None
    except NoCredentialsError:
        raise _fail("no AWS credentials found", ExitStatus.ERROR) from None
    except BotoCoreError as error:
        raise _fail(f"AWS: {error}", ExitStatus.ERROR) from None


def _show(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(outcome.to_dict(), sort_keys=True, default=str))
    else:
        prefix = "[dry run] " if outcome.dry_run else ""
        head = f"{prefix}{outcome.action} {outcome.cluster}: {outcome.status} ({outcome.step})"
        typer.echo(f"{head} - {outcome.message}")


def _progress_line(outcome: Outcome, elapsed: float) -> str:
    minutes, seconds = divmod(int(elapsed), 60)
    left = outcome.details.get("nodegroups_left")
    extra = f", {left} nodegroups left" if left is not None else ""
    return f"[{minutes:02d}:{seconds:02d}] {outcome.step}{extra}: {outcome.message}"


def _drive(
    action: str,
    config: SchedulerConfig,
    clients: Clients,
    *,
    dry_run: bool,
    wait: bool,
    interval: float,
    timeout: float,
    as_json: bool,
    token: str | None = None,
) -> None:
    from reservations.cluster.runner import run_step
    from reservations.cluster.steps import StepContext

    started = time.monotonic()
    outcome = _aws_call(
        lambda: run_step(action, config, clients, StepContext(phase="start", dry_run=dry_run), token)
    )
    if wait and not dry_run:
        from rich.console import Console
        from rich.text import Text

        console = Console(stderr=True)

        def one_line(text: str) -> Text:
            return Text(text, overflow="ellipsis", no_wrap=True)

        with console.status(one_line(_progress_line(outcome, 0))) as status:
            while not outcome.terminal:
                elapsed = time.monotonic() - started
                line = _progress_line(outcome, elapsed)
                status.update(one_line(line))
                if not console.is_terminal:
                    typer.echo(line, err=True)
                if elapsed + interval > timeout:
                    _show(outcome, as_json)
                    raise _fail(
                        f"still {outcome.step} after {int(elapsed)} s; giving up waiting", ExitStatus.ERROR
                    )
                next_check = time.monotonic() + interval
                while (remaining := next_check - time.monotonic()) > 0:
                    time.sleep(min(1.0, remaining))
                    if console.is_terminal:  # keep the elapsed time ticking between checks
                        status.update(one_line(_progress_line(outcome, time.monotonic() - started)))
                ctx = StepContext(phase="follow-up", dry_run=dry_run)
                outcome = _aws_call(lambda ctx=ctx: run_step(action, config, clients, ctx, token))
    _show(outcome, as_json)
    if not outcome.ok:
        raise typer.Exit(int(ExitStatus.ERROR))


def _clients() -> Clients:
    from reservations.cluster.runner import Clients

    return Clients()


@app.command()
def down(
    cluster: ClusterOpt = None,
    dry_run: DryRunOpt = False,
    wait: WaitOpt = False,
    interval: IntervalOpt = 15.0,
    timeout: TimeoutOpt = 3600.0,
    as_json: JsonOpt = False,
) -> None:
    """Tear the cluster down: nodegroups and Fargate profiles, then the cluster, then its load balancers."""
    config = _config(cluster)
    _drive(
        "down",
        config,
        _clients(),
        dry_run=dry_run,
        wait=wait,
        interval=interval,
        timeout=timeout,
        as_json=as_json,
    )


@app.command()
def up(
    cluster: ClusterOpt = None,
    dry_run: DryRunOpt = False,
    wait: WaitOpt = False,
    interval: IntervalOpt = 15.0,
    timeout: TimeoutOpt = 3600.0,
    as_json: JsonOpt = False,
    tfc_client: Annotated[
        str | None,
        typer.Option("--tfc-client", help="pytfe (default) or terrasnek [env RESERVATIONS_TFC_CLIENT]"),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", help="Cluster workspace: name or ws- id [env RESERVATIONS_TFC_WORKSPACE]"
        ),
    ] = None,
    edge_workspace: Annotated[
        str | None,
        typer.Option(
            "--edge-workspace",
            help="Edge workspace, run once the cluster is up [env RESERVATIONS_TFC_EDGE_WORKSPACE]",
        ),
    ] = None,
    organization: Annotated[
        str | None, typer.Option("--organization", help="[env RESERVATIONS_TFC_ORGANIZATION]")
    ] = None,
    tfc_url: Annotated[str | None, typer.Option("--tfc-url", help="[env RESERVATIONS_TFC_URL]")] = None,
) -> None:
    """Rebuild the cluster through Terraform Cloud: a run of the cluster workspace, then of the edge's.

    Each run is planned, checked by the plan guard, then applied.
    The token comes from RESERVATIONS_TFC_TOKEN, else from the secret RESERVATIONS_TFC_TOKEN_SECRET_ARN.
    """
    import os

    if tfc_client is not None and tfc_client not in ("pytfe", "terrasnek"):
        raise _fail(f"--tfc-client must be pytfe or terrasnek, not {tfc_client!r}", ExitStatus.USAGE)
    config = _config(
        cluster,
        tfc_client=tfc_client,
        tfc_workspace=workspace,
        tfc_edge_workspace=edge_workspace,
        tfc_organization=organization,
        tfc_url=tfc_url.rstrip("/") if tfc_url else None,
    )
    from reservations.cluster.config import ConfigError

    try:
        config.require_tfc()
    except ConfigError as error:
        raise _fail(str(error), ExitStatus.USAGE) from None
    token = os.environ.get("RESERVATIONS_TFC_TOKEN") or None
    if token is None and not config.tfc_token_secret_arn:
        raise _fail("set RESERVATIONS_TFC_TOKEN or RESERVATIONS_TFC_TOKEN_SECRET_ARN", ExitStatus.USAGE)
    _drive(
        "up",
        config,
        _clients(),
        dry_run=dry_run,
        wait=wait,
        interval=interval,
        timeout=timeout,
        as_json=as_json,
        token=token,
    )


@app.command()
def status(cluster: ClusterOpt = None, as_json: JsonOpt = False) -> None:
    """Show the cluster's state, its schedule tags and anything it left behind."""
    from reservations.cluster.status import describe

    config = _config(cluster)
    report = _aws_call(lambda: describe(config, _clients()))
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True, default=str))
        return
    for key, value in report.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        typer.echo(f"{key.replace('_', ' '):<22} {shown if shown not in (None, '') else '-'}")


@app.command()
def skip(
    until: Annotated[
        str | None, typer.Option("--until", help="ISO date or timestamp; local to the schedule's time zone")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the skip tag.")] = False,
    cluster: ClusterOpt = None,
) -> None:
    """Make scheduled teardowns no-ops until a time ("I'm working late tonight")."""
    from reservations.cluster.status import set_skip

    if (until is None) == (not clear):
        raise _fail("give exactly one of --until TIMESTAMP or --clear", ExitStatus.USAGE)
    config = _config(cluster)
    try:
        message = _aws_call(lambda: set_skip(config, _clients(), until))
    except ValueError as error:
        raise _fail(str(error), ExitStatus.USAGE) from None
    except LookupError as error:
        raise _fail(str(error), ExitStatus.ERROR) from None
    typer.echo(message)


@app.command()
def savings(
    down_expr: Annotated[
        str, typer.Option("--down", help='Teardown schedule, e.g. "cron(0 23 ? * MON-FRI *)"')
    ],
    up_expr: Annotated[str, typer.Option("--up", help='Rebuild schedule, e.g. "cron(0 7 ? * MON-FRI *)"')],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone of both schedules")] = "UTC",
    node_type: Annotated[str, typer.Option("--node-type")] = "t3.medium",
    nodes: Annotated[int, typer.Option("--nodes", min=0)] = 2,
    node_price: Annotated[
        float | None, typer.Option("--node-price", min=0, help="USD per node-hour (overrides the table)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hours off per week and the estimated monthly savings of a down/up schedule."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from reservations.cluster.savings import ScheduleError, compute

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(f"--timezone {timezone!r} is not an IANA time zone", ExitStatus.USAGE) from None
    try:
        result = compute(down_expr, up_expr, node_type=node_type, nodes=nodes, node_price=node_price)
    except ScheduleError as error:
        raise _fail(str(error), ExitStatus.USAGE) from None
    summary = {
        "timezone": timezone,
        "hours_off_per_week": round(result.hours_off_per_week, 2),
        "hourly_cost_usd": round(result.hourly_cost, 4),
        "monthly_cost_always_on_usd": round(result.monthly_cost_always_on, 2),
        "monthly_savings_usd": round(result.monthly_savings, 2),
        "node_type": node_type,
        "nodes": nodes,
    }
    if as_json:
        typer.echo(json.dumps(summary, sort_keys=True))
        return
    typer.echo(f"Schedule ({timezone}): down {down_expr}, up {up_expr}")
    typer.echo(
        f"Cluster: control plane ${0.10:.2f}/h + {nodes} x {node_type} at ${result.node_price:.4f}/h"
        f" = ${result.hourly_cost:.4f}/h"
    )
    typer.echo(
        f"Hours off per week: {result.hours_off_per_week:.1f} of 168"
        f" ({result.hours_off_per_week / 1.68:.0f}%)"
    )
    typer.echo(
        f"Estimated monthly savings: ${result.monthly_savings:.2f}"
        f" (of ${result.monthly_cost_always_on:.2f} always on)"
    )
    typer.echo("")
    typer.echo(result.chart())
    sys.stdout.flush()
