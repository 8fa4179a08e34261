"""The ``reservations`` command: one Typer app that every area plugs its commands into.

Each area keeps its own commands next to its code (``gateway/cli.py``, ``client/cli.py`` ...) and
imports its heavy dependencies inside the command bodies, so ``reservations --help`` stays quick.
"""

from __future__ import annotations

import typer

from reservations.build.cli import app as build_app
from reservations.cells.deploy_cli import app as cells_app
from reservations.channels.cli import app as channels_app
from reservations.client.cli import register as register_client_commands
from reservations.client.frontdesk_cli import register as register_frontdesk_commands
from reservations.cluster.cli import app as cluster_app
from reservations.edge.cli import app as edge_app
from reservations.gateway.cli import register as register_gateway_commands
from reservations.tenants.cli import app as tenants_app

app = typer.Typer(
    name="reservations",
    help="Hotel reservations: local gateway, clients, edge, cluster scheduler and builds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", help="Show a traceback on failure (client commands; also after the command)."
    ),
) -> None:
    """Hotel reservations: local gateway, clients, edge, cluster scheduler and builds."""
    if debug:
        import os

        from reservations.client.commands import DEBUG_ENV

        os.environ[DEBUG_ENV] = "1"


register_gateway_commands(app)
register_client_commands(app)
register_frontdesk_commands(app)
app.add_typer(tenants_app, name="tenants")
app.add_typer(channels_app, name="channels")
app.add_typer(cluster_app, name="cluster")
app.add_typer(build_app, name="build")
app.add_typer(edge_app, name="edge")
app.add_typer(cells_app, name="cells")


def main() -> None:
    """Runs the command; a usage error is one line and exit 2, never Click's boxed panel."""
    import sys

    # Typer vendors Click; its exception classes are not re-exported under public names.
    from typer._click import exceptions as click_errors

    from reservations.exit_status import ExitStatus

    try:
        status = app(standalone_mode=False)
    except click_errors.NoArgsIsHelpError:
        sys.exit(ExitStatus.USAGE)  # the help was printed
    except click_errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "reservations"
        print(f"{command}: {exc.format_message()}", file=sys.stderr)
        sys.exit(ExitStatus.USAGE)
    except click_errors.ClickException as exc:
        print(f"reservations: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(ExitStatus.ERROR)
    sys.exit(status if isinstance(status, int) else ExitStatus.SUCCESS)
