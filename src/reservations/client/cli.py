"""Client commands: list, get, add, delete, menu, configure.

Only flag declarations live here; the bodies (``commands.py``, ``menu.py``) and httpx/rich load when
a command runs, so ``reservations --help`` stays quick.  Flags are taken as text and parsed by us,
so a bad value is one line on stderr with exit 2 rather than Click's multi-line box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reservations.client.options import Debug, Json, add_client_command, finish

if TYPE_CHECKING:
    from reservations.client.commands import Connection


def list_command(
    conn: Connection,
    all_pages: Annotated[bool, typer.Option("--all", help="Every page, streamed.")] = False,
    start: Annotated[str | None, typer.Option("--from", help="Nights on or after DATE.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Stays with a night before DATE.")] = None,
    room: Annotated[str | None, typer.Option("--room", help="Only this room.")] = None,
    limit: Annotated[str | None, typer.Option("--limit", help="Page size (1-500).")] = None,
    as_json: Json = False,
) -> int | None:
    """List reservations by check-in date (first page, or --all)."""
    from reservations.client import commands

    return commands.list_reservations(
        conn, all_pages=all_pages, start=start, end=end, room=room, limit=limit, as_json=as_json
    )


def get_command(
    conn: Connection,
    reservation_id: Annotated[str, typer.Argument(metavar="ID", help="Reservation id.")],
    as_json: Json = False,
) -> int | None:
    """Show one reservation."""
    from reservations.client import commands

    return commands.get_reservation(conn, reservation_id, as_json=as_json)


def add_command(
    conn: Connection,
    guest: Annotated[str | None, typer.Option("--guest", help="Guest name.")] = None,
    room: Annotated[str | None, typer.Option("--room", help="Room number.")] = None,
    nights: Annotated[str | None, typer.Option("--nights", help="Nights (1-30).")] = None,
    check_in: Annotated[str | None, typer.Option("--check-in", help="YYYY-MM-DD; default today.")] = None,
    as_json: Json = False,
) -> int | None:
    """Book a room (refused if any night is taken)."""
    from reservations.client import commands

    return commands.add_reservation(
        conn, guest=guest, room=room, nights=nights, check_in=check_in, as_json=as_json
    )


def delete_command(
    conn: Connection,
    reservation_id: Annotated[str, typer.Argument(metavar="ID", help="Reservation id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> int | None:
    """Delete a reservation and free its nights."""
    from reservations.client import commands

    return commands.delete_reservation(conn, reservation_id, yes=yes)


def menu_command(conn: Connection) -> int | None:
    """Interactive menu: add, delete, list, change, find a free room, channel calendars, switch
    profile (stdin lines without a terminal)."""
    from reservations.client import menu

    return menu.main(conn)


def configure_command(
    profile: Annotated[str | None, typer.Option("--profile", help="Profile to write.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Server base URL.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Customer name.")] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="API key (asked, hidden, when omitted).")
    ] = None,
    make_default: Annotated[bool, typer.Option("--default", help="Make this the default profile.")] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the profile (key masked).")] = False,
    verify: Annotated[bool, typer.Option("--verify/--no-verify", help="Try the profile.")] = True,
    debug: Debug = False,
) -> None:
    """Write a connection profile (file mode 0600), asking for what flags do not give."""
    from reservations.client import commands

    finish(
        commands.run(
            debug,
            "configure",
            lambda: commands.configure(
                name=profile,
                url=url,
                customer=customer,
                api_key=api_key,
                make_default=make_default,
                show=show,
                verify=verify,
            ),
        )
    )


def register(app: typer.Typer) -> None:
    """Adds the client commands at the top level of ``app``."""
    add_client_command(app, "list", list_command)
    add_client_command(app, "get", get_command)
    add_client_command(app, "add", add_command)
    add_client_command(app, "delete", delete_command)
    add_client_command(app, "menu", menu_command)
    app.command("configure")(configure_command)
