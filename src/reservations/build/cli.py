"""Commands of the `reservations build` group."""

from __future__ import annotations

import typer

app = typer.Typer(help="build commands.", no_args_is_help=True)
