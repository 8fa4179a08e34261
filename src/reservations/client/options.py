"""The options every client command shares (the connection, ``--debug``, ``--json``) and the two steps
every command body starts and ends with, declared once for ``cli.py`` and ``frontdesk_cli.py``.

Like them it holds declarations only: httpx and rich load when a command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from reservations.client.commands import Connection

_CONN = "Connection (flags > RESERVATIONS_* environment > profile)"

Url = Annotated[
    str | None,
    typer.Option("--url", help="Server base URL, path prefix included.", rich_help_panel=_CONN),
]
Customer = Annotated[str | None, typer.Option("--customer", help="Customer name.", rich_help_panel=_CONN)]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="API key (prefer RESERVATIONS_API_KEY or a profile: flags show in `ps`).",
        rich_help_panel=_CONN,
    ),
]
ProfileName = Annotated[
    str | None,
    typer.Option("--profile", help="Profile in the config file.", rich_help_panel=_CONN),
]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on failure.")]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]


def connection(url: str | None, customer: str | None, api_key: str | None, profile: str | None) -> Connection:
    """What the connection options say, resolved only when the command runs (flags > env > profile)."""
    from reservations.client.commands import Connection

    return Connection(url=url, customer=customer, api_key=api_key, profile=profile)


def finish(status: int) -> None:
    """A command's exit status, as the shell sees it (0 returns normally)."""
    if status:
        raise typer.Exit(status)
