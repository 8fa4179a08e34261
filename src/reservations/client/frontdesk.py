"""The bodies of the front-desk commands: ``rooms add|list|remove``, ``availability``, ``change``.

Like ``commands.py`` they end through ``commands.run``, so failures are one line on stderr with the
shared exit statuses; ``frontdesk_cli.py`` declares their flags.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reservations.client.commands import (
    Connection,
    UsageProblem,
    a_check_in,
    a_date,
    a_guest,
    whole_number,
)
from reservations.client.render import console, describe
from reservations.domain.parsing import NIGHTS_MAX, NIGHTS_MIN, ROOM_MAX, ROOM_MIN
from reservations.domain.rooms import MAX_ROOMS
from reservations.exit_status import ExitStatus

if TYPE_CHECKING:
    from rich.table import Table

    from reservations.domain.rooms import Room


def parse_room_specs(specs: list[str]) -> list[int]:
    """``101-110 201`` (commas also separate) -> ascending distinct room numbers."""
    numbers: set[int] = set()
    for spec in (part for text in specs for part in text.split(",")):
        spec = spec.strip()
        if not spec:
            continue
        low_text, dash, high_text = spec.partition("-")
        low = whole_number(low_text, "a room number")
        high = whole_number(high_text, "a room number") if dash else low
        if high < low:
            raise UsageProblem(f"the range {spec!r} runs backwards")
        for number in (low, high):
            if not ROOM_MIN <= number <= ROOM_MAX:
                raise UsageProblem(f"room numbers run from {ROOM_MIN} to {ROOM_MAX}, not {number}")
        if high - low + len(numbers) >= MAX_ROOMS:
            raise UsageProblem(f"at most {MAX_ROOMS} rooms at once")
        numbers.update(range(low, high + 1))
    if not numbers:
        raise UsageProblem("name at least one room, e.g. 101-110 201")
    return sorted(numbers)


def compact(numbers: list[int]) -> str:
    """``[101, 102, 103, 105]`` -> ``101-103, 105``: how a clerk reads a list of rooms."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def add_rooms(
    conn: Connection, specs: list[str], *, name: str | None, notes: str | None, as_json: bool
) -> int:
    """Defines rooms.  A room that exists keeps its name and notes unless --name/--notes are given."""
    numbers = parse_room_specs(specs)
    with conn.client() as client:
        existing = {room.room_number for room in client.rooms()}
        added: list[int] = []
        updated: list[int] = []
        kept: list[int] = []
        for number in numbers:
            if number in existing and name is None and notes is None:
                kept.append(number)
                continue
            (added if client.put_room(number, name=name, notes=notes) else updated).append(number)
        if as_json:
            print(json.dumps({"added": added, "updated": updated, "unchanged": kept}))
            return ExitStatus.SUCCESS
    out = console()
    if added:
        out.print(f"Added {len(added)} room{'s' if len(added) != 1 else ''}: {compact(added)}")
    if updated:
        out.print(f"Updated {compact(updated)}")
    if kept:
        out.print(f"Already defined: {compact(kept)}")
    return ExitStatus.SUCCESS


def list_rooms(conn: Connection, *, as_json: bool) -> int:
    with conn.client() as client:
        rooms = client.rooms()
    if as_json:
        print(json.dumps([room.to_json() for room in rooms], ensure_ascii=False, indent=2))
    elif not rooms:
        console().print("No rooms defined: any room number 1-99999 can be booked.")
    else:
        console().print(rooms_table(rooms))
    return ExitStatus.SUCCESS


def rooms_table(rooms: list[Room]) -> Table:
    from rich import box
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD)
    grid.add_column("Room", justify="right")
    grid.add_column("Name", overflow="fold")
    grid.add_column("Notes", overflow="fold")
    for room in rooms:
        grid.add_row(str(room.room_number), room.name or "", room.notes or "")
    return grid


def remove_rooms(conn: Connection, specs: list[str], *, as_json: bool) -> int:
    """Removes rooms in order, stopping at the first refusal (the rooms before it stay removed)."""
    numbers = parse_room_specs(specs)
    removed: list[int] = []
    with conn.client() as client:
        try:
            for number in numbers:
                client.remove_room(number)
                removed.append(number)
        finally:
            if removed and not as_json:
                print(f"Removed {compact(removed)}")
    if as_json:
        print(json.dumps({"removed": removed}))
    return ExitStatus.SUCCESS


def availability(conn: Connection, *, check_in: str | None, nights: str | None, as_json: bool) -> int:
    if check_in is None:
        raise UsageProblem("--check-in is required")
    if nights is None:
        raise UsageProblem("--nights is required")
    day = a_date(check_in, "--check-in")
    count = whole_number(nights, "--nights", NIGHTS_MIN, NIGHTS_MAX)
    with conn.client() as client:
        free = client.availability(day, count)
    if as_json:
        print(json.dumps({"check_in": day.isoformat(), "nights": count, "free_rooms": free}))
        return ExitStatus.SUCCESS
    stay = f"from {day.isoformat()} for {count} night{'s' if count != 1 else ''}"
    if free:
        console().print(f"Free {stay}: {compact(free)}")
        return ExitStatus.SUCCESS
    console().print(f"No room is free {stay}.")
    return ExitStatus.SUCCESS


def change(
    conn: Connection,
    reservation_id: str,
    *,
    guest: str | None,
    room: str | None,
    check_in: str | None,
    nights: str | None,
    as_json: bool,
) -> int:
    rid = whole_number(reservation_id, "the reservation id")
    if guest is None and room is None and check_in is None and nights is None:
        raise UsageProblem("name what to change: --guest, --room, --check-in and/or --nights")
    with conn.client() as client:
        changed = client.change(
            rid,
            guest_name=a_guest(guest) if guest is not None else None,
            room_number=whole_number(room, "--room", ROOM_MIN, ROOM_MAX) if room is not None else None,
            nights=whole_number(nights, "--nights", NIGHTS_MIN, NIGHTS_MAX) if nights is not None else None,
            check_in=a_check_in(check_in) if check_in is not None else None,
        )
    if as_json:
        print(json.dumps(changed.to_json(), ensure_ascii=False, indent=2))
    else:
        console().print(f"Changed {describe(changed)}")
    return ExitStatus.SUCCESS
