"""Rows of a customer's SQLite file as domain values, shared by the store and its front-desk part."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

from reservations.domain.blocks import Block, ConflictingBlockError
from reservations.domain.errors import ConflictError
from reservations.domain.parsing import parse_timestamp
from reservations.domain.reservation import Reservation
from reservations.stores import damage

COLUMNS = "reservation_id, guest_name, room_number, nights, check_in, created_at"


def row_to_reservation(row: tuple[int, str, int, int, str, str]) -> Reservation:
    # Once per row of every page: fromisoformat directly (stored as "...Z", which is UTC itself),
    # the general parse only for a row written some other way.
    rid, guest, room, nights, check_in, created_at = row
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is not UTC:
        moment = parse_timestamp(created_at)
    return Reservation(rid, guest, room, nights, date.fromisoformat(check_in), moment)


def holder(conn: sqlite3.Connection, room: int, night: date) -> Reservation | None:
    """The reservation that holds a room-night, to name it in a conflict."""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM reservations WHERE reservation_id ="
        " (SELECT reservation_id FROM nights WHERE room_number = ? AND night = ?)",
        (room, night.isoformat()),
    ).fetchone()
    return row_to_reservation(row) if row else None


def reservation(conn: sqlite3.Connection, reservation_id: int) -> Reservation | None:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM reservations WHERE reservation_id = ?", (reservation_id,)
    ).fetchone()
    return row_to_reservation(row) if row else None


def claim_nights(conn: sqlite3.Connection, stay: Reservation, table: str) -> None:
    """Claims the stay's room-nights; the nights table's primary key refuses a taken one."""
    claim_guard_nights(conn, stay.room_number, stay.stay_nights(), stay.reservation_id, table)


def block_holding(conn: sqlite3.Connection, holder_id: int, room: int, night: date) -> ConflictError:
    """The 409 for a night held by a channel's block (holder ids below zero are blocks)."""
    row = conn.execute(
        "SELECT room_number, check_in, check_out, source, uid FROM blocks WHERE block_id = ?", (-holder_id,)
    ).fetchone()
    block = None
    if row is not None:
        block = Block(
            row[0], date.fromisoformat(row[1]), date.fromisoformat(row[2]), row[3], row[4], -holder_id
        )
    return ConflictingBlockError(room, night, block)


def claim_guard_nights(
    conn: sqlite3.Connection, room: int, nights: list[date], holder_id: int, table: str = ""
) -> None:
    """Claims ``nights`` of ``room`` for ``holder_id`` (a reservation, or ``-block_id``).

    A night held by a reservation that does not exist or does not cover it is damage, not a
    conflict (every write keeps a stay and its nights in step): it is logged and claimed over,
    inside this transaction, rather than refused for ever.  A night held by a block is a conflict.
    """
    for night in nights:
        try:
            conn.execute(
                "INSERT INTO nights (room_number, night, reservation_id) VALUES (?, ?, ?)",
                (room, night.isoformat(), holder_id),
            )
        except sqlite3.IntegrityError:
            (held_by,) = conn.execute(
                "SELECT reservation_id FROM nights WHERE room_number = ? AND night = ?",
                (room, night.isoformat()),
            ).fetchone()
            if held_by < 0:
                raise block_holding(conn, held_by, room, night) from None
            held = holder(conn, room, night)
            if held is not None and held.holds(room, night):
                raise ConflictError(room, night, held) from None
            why = "does not exist" if held is None else "does not cover it"
            damage.report(
                table,
                "orphaned_night",
                f"night held by reservation {held_by}, which {why}",
                room_number=room,
                night=night,
                holder=int(held_by),
            )
            conn.execute(
                "UPDATE nights SET reservation_id = ? WHERE room_number = ? AND night = ?",
                (holder_id, room, night.isoformat()),
            )
