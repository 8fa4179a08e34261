"""Commands of the `reservations edge` group."""

from __future__ import annotations

import typer

app = typer.Typer(help="edge commands.", no_args_is_help=True)
