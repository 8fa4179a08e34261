"""The ``reservations serve`` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds ``serve`` at the top level of ``app``."""
