"""The ``reservations`` command: one Typer app that every area plugs its commands into.

Each area keeps its own commands next to its code (``gateway/cli.py``, ``client/cli.py`` ...) and
imports its heavy dependencies inside the command bodies, so ``reservations --help`` stays quick.
"""

from __future__ import annotations

import typer

from reservations.build.cli import app as build_app
from reservations.client.cli import register as register_client_commands
from reservations.cluster.cli import app as cluster_app
from reservations.edge.cli import app as edge_app
from reservations.gateway.cli import register as register_gateway_commands
from reservations.tenants_cli import app as tenants_app

app = typer.Typer(
    name="reservations",
    help="Hotel reservations: local gateway, clients, edge, cluster scheduler and builds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

register_gateway_commands(app)
register_client_commands(app)
app.add_typer(tenants_app, name="tenants")
app.add_typer(cluster_app, name="cluster")
app.add_typer(build_app, name="build")
app.add_typer(edge_app, name="edge")


def main() -> None:
    app()
