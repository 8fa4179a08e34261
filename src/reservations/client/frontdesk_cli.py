"""Flags of the front-desk commands: ``rooms add|list|remove``, ``availability``, ``change``.

Kept beside ``cli.py`` (both take the shared options from ``options.py``) so each file stays one screenful of
declarations; the bodies are in ``frontdesk.py`` and load only when a command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reservations.client.options import Json, add_client_command

if TYPE_CHECKING:
    from reservations.client.commands import Connection

Specs = Annotated[list[str], typer.Argument(metavar="ROOMS...", help="Room numbers and ranges: 101-110 201.")]


def rooms_add(
    conn: Connection,
    specs: Specs,
    name: Annotated[str | None, typer.Option("--name", help="A name for these rooms.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Notes for these rooms.")] = None,
    as_json: Json = False,
) -> int | None:
    """Define rooms (existing ones keep their name unless --name/--notes are given)."""
    from reservations.client import frontdesk

    return frontdesk.add_rooms(conn, specs, name=name, notes=notes, as_json=as_json)


def rooms_list(conn: Connection, as_json: Json = False) -> int | None:
    """List the rooms in number order."""
    from reservations.client import frontdesk

    return frontdesk.list_rooms(conn, as_json=as_json)


def rooms_remove(conn: Connection, specs: Specs, as_json: Json = False) -> int | None:
    """Remove rooms (refused for a room booked from today on)."""
    from reservations.client import frontdesk

    return frontdesk.remove_rooms(conn, specs, as_json=as_json)


def availability_command(
    conn: Connection,
    check_in: Annotated[str | None, typer.Option("--check-in", help="YYYY-MM-DD.")] = None,
    nights: Annotated[str | None, typer.Option("--nights", help="Nights (1-30).")] = None,
    as_json: Json = False,
) -> int | None:
    """Which rooms are free on every night of a stay."""
    from reservations.client import frontdesk

    return frontdesk.availability(conn, check_in=check_in, nights=nights, as_json=as_json)


def change_command(
    conn: Connection,
    reservation_id: Annotated[str, typer.Argument(metavar="ID", help="Reservation id.")],
    guest: Annotated[str | None, typer.Option("--guest", help="New guest name.")] = None,
    room: Annotated[str | None, typer.Option("--room", help="New room number.")] = None,
    check_in: Annotated[str | None, typer.Option("--check-in", help="New check-in, YYYY-MM-DD.")] = None,
    nights: Annotated[str | None, typer.Option("--nights", help="New number of nights (1-30).")] = None,
    as_json: Json = False,
) -> int | None:
    """Change a reservation in place: same id, refused (unchanged) if a new night is taken."""
    from reservations.client import frontdesk

    return frontdesk.change(
        conn, reservation_id, guest=guest, room=room, check_in=check_in, nights=nights, as_json=as_json
    )


def register(app: typer.Typer) -> None:
    """Adds ``rooms`` (a group), ``availability`` and ``change`` at the top level of ``app``."""
    rooms = typer.Typer(
        help="The customer's rooms: once some exist, only they can be booked.", no_args_is_help=True
    )
    app.add_typer(rooms, name="rooms")
    add_client_command(rooms, "add", rooms_add, title="rooms add")
    add_client_command(rooms, "list", rooms_list, title="rooms list")
    add_client_command(rooms, "remove", rooms_remove, title="rooms remove")
    add_client_command(app, "availability", availability_command)
    add_client_command(app, "change", change_command)
