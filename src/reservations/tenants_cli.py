"""``reservations tenants``: create customers, rotate and revoke their keys."""

from __future__ import annotations

import typer

app = typer.Typer(help="Manage customers and their API keys.", no_args_is_help=True)
