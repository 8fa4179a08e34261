"""The front desk in a customer's SQLite file: rooms, availability and changing a stay in place.

Every function runs on the connection the store hands it; the writes run inside the store's
``BEGIN IMMEDIATE`` transaction (and its per-table writer lock), so the rooms rule, the nights
guard and the change itself commit together or not at all.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from reservations.domain.change import ReservationChange, moves
from reservations.domain.errors import NoRoomsError, NotFoundError, RoomInUseError
from reservations.domain.parsing import NIGHTS_MAX
from reservations.domain.reservation import Reservation
from reservations.domain.rooms import (
    MAX_ROOMS,
    Availability,
    Room,
    RoomPage,
    RoomQuery,
    room_not_defined,
    too_many_rooms,
)
from reservations.stores.sqlite_rows import COLUMNS, claim_nights, reservation, row_to_reservation

# Rooms x nights: for each room, a range of the nights table's primary key (room_number, night).
# tests/stores/test_availability_cost.py holds SQLite to that plan.
FREE_ROOMS_SQL = (
    "SELECT r.room_number FROM rooms r WHERE NOT EXISTS (SELECT 1 FROM nights n"
    " WHERE n.room_number = r.room_number AND n.night >= ? AND n.night < ?) ORDER BY r.room_number"
)


def check_room(conn: sqlite3.Connection, room_number: int) -> None:
    """The rooms rule: a customer with rooms books only those; one without books any number."""
    defined, any_room = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM rooms WHERE room_number = ?), EXISTS (SELECT 1 FROM rooms)",
        (room_number,),
    ).fetchone()
    if any_room and not defined:
        raise room_not_defined(room_number)


def change(
    conn: sqlite3.Connection, table: str, reservation_id: int, requested: ReservationChange
) -> Reservation:
    before = reservation(conn, reservation_id)
    if before is None:
        raise NotFoundError(f"no reservation {reservation_id}", field="reservation_id")
    after = requested.apply(before)
    if moves(before, after):
        check_room(conn, after.room_number)
        conn.executemany(
            "DELETE FROM nights WHERE room_number = ? AND night = ? AND reservation_id = ?",
            [(before.room_number, night.isoformat(), reservation_id) for night in before.stay_nights()],
        )
        claim_nights(conn, after, table)
    conn.execute(
        "UPDATE reservations SET guest_name = ?, room_number = ?, nights = ?, check_in = ?, check_out = ?"
        " WHERE reservation_id = ?",
        (
            after.guest_name,
            after.room_number,
            after.nights,
            after.check_in.isoformat(),
            after.check_out.isoformat(),
            reservation_id,
        ),
    )
    return after


def put_room(conn: sqlite3.Connection, room: Room) -> bool:
    exists = conn.execute("SELECT 1 FROM rooms WHERE room_number = ?", (room.room_number,)).fetchone()
    if exists:
        conn.execute(
            "UPDATE rooms SET name = ?, notes = ? WHERE room_number = ?",
            (room.name, room.notes, room.room_number),
        )
        return False
    (count,) = conn.execute("SELECT count(*) FROM rooms").fetchone()
    if count >= MAX_ROOMS:
        raise too_many_rooms()
    conn.execute("INSERT INTO rooms VALUES (?, ?, ?)", (room.room_number, room.name, room.notes))
    return True


def list_rooms(conn: sqlite3.Connection, query: RoomQuery) -> RoomPage:
    rows = conn.execute(
        "SELECT room_number, name, notes FROM rooms WHERE room_number > ? ORDER BY room_number LIMIT ?",
        (query.after or 0, query.limit + 1),
    ).fetchall()
    return RoomPage.of([Room(*row) for row in rows], query)


def delete_room(conn: sqlite3.Connection, room_number: int, today: date) -> Room:
    row = conn.execute(
        "SELECT room_number, name, notes FROM rooms WHERE room_number = ?", (room_number,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no room {room_number}", field="room_number")
    # A stay lasts at most NIGHTS_MAX nights, so the room index is read from that far back only.
    held = conn.execute(
        f"SELECT {COLUMNS} FROM reservations WHERE room_number = ? AND check_in >= ? AND check_out > ?"
        " ORDER BY check_in, reservation_id LIMIT 1",
        (room_number, (today - timedelta(days=NIGHTS_MAX)).isoformat(), today.isoformat()),
    ).fetchone()
    if held is not None:
        raise RoomInUseError(room_number, row_to_reservation(held))
    conn.execute("DELETE FROM rooms WHERE room_number = ?", (room_number,))
    return Room(*row)


def free_rooms(conn: sqlite3.Connection, availability: Availability) -> list[int]:
    """One statement (one snapshot); per room, the nights' primary key answers in a few steps."""
    rows = conn.execute(
        FREE_ROOMS_SQL, (availability.check_in.isoformat(), availability.check_out.isoformat())
    ).fetchall()
    if not rows and conn.execute("SELECT NOT EXISTS (SELECT 1 FROM rooms)").fetchone()[0]:
        raise NoRoomsError()
    return [int(row[0]) for row in rows]
