"""The options every client command shares (the connection, ``--debug``, ``--json``) and the steps
every command starts and ends with, declared once for ``cli.py`` and ``frontdesk_cli.py``:
``client_command`` registers a body that takes the resolved ``Connection`` and its own flags.

Like them it holds declarations only: httpx and rich load when a command runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, get_type_hints

import typer

if TYPE_CHECKING:
    from reservations.client.commands import Connection

# A command's body: the resolved connection, then the command's own flags; returns the exit status
# (None: success) and may raise what ``commands.run`` turns into one line on stderr.
Body = Callable[..., "int | None"]

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


def _connection_parameters() -> list[inspect.Parameter]:
    """The options ``client_command`` adds after a body's own, in the order ``--help`` shows them."""
    kind = inspect.Parameter.KEYWORD_ONLY
    declared: list[tuple[str, object, object]] = [
        ("url", Url, None),
        ("customer", Customer, None),
        ("api_key", ApiKey, None),
        ("profile", ProfileName, None),
        ("debug", Debug, False),
    ]
    return [
        inspect.Parameter(name, kind, default=default, annotation=hint) for name, hint, default in declared
    ]


def add_client_command(group: typer.Typer, name: str, body: Body, *, title: str | None = None) -> None:
    """Registers ``body(conn, **flags)`` as command ``name`` of ``group`` with the connection options
    and ``--debug`` after its own flags; ``title`` (default ``name``) prefixes its error lines.

    Typer reads a command's options from its signature, so the command is a function whose
    signature is the body's (less the connection) plus the shared options: declared here once
    instead of in every command, like the four lines that resolve the connection and run the body."""

    # The body's first parameter is the Connection, imported for type checking only (it would
    # load httpx): any object stands in for it, as only the other parameters are read.
    hints = get_type_hints(body, localns={"Connection": object}, include_extras=True)
    own = list(inspect.signature(body).parameters.values())[1:]
    parameters = [p.replace(annotation=hints[p.name]) for p in own] + _connection_parameters()

    def command(
        *args: object,
        url: str | None,
        customer: str | None,
        api_key: str | None,
        profile: str | None,
        debug: bool,
        **flags: object,
    ) -> None:
        from reservations.client import commands

        conn = connection(url, customer, api_key, profile)
        finish(commands.run(debug, title or name, lambda: body(conn, *args, **flags)))

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = body.__doc__
    command.__name__ = command.__qualname__ = body.__name__
    command.__module__ = body.__module__
    group.command(name)(command)
