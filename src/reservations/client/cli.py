"""Client commands: list, get, add, delete, menu, configure."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the client commands at the top level of ``app``."""
