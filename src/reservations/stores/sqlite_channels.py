"""Blocks and room calendars in a customer's SQLite file.

Every write runs inside the store's ``BEGIN IMMEDIATE`` transaction and writer lock; a block claims
its nights in the same ``nights`` table as reservations (holder ``-block_id``), so its primary key
refuses a night held by either.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from reservations.channels.calendar import CalendarUpdate, RoomCalendar
from reservations.domain.blocks import Block, NewBlock, guard_id
from reservations.stores.sqlite_rows import claim_guard_nights

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    block_id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_number INTEGER NOT NULL,
    check_in TEXT NOT NULL,
    check_out TEXT NOT NULL,
    source TEXT NOT NULL,
    uid TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_by_room ON blocks (room_number, check_in);
CREATE TABLE IF NOT EXISTS room_calendars (
    room_number INTEGER PRIMARY KEY,
    token TEXT,
    imports TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT '{}'
);
"""
_BLOCK_COLUMNS = "block_id, room_number, check_in, check_out, source, uid"


def _block(row: tuple[int, int, str, str, str, str]) -> Block:
    block_id, room, check_in, check_out, source, uid = row
    return Block(room, date.fromisoformat(check_in), date.fromisoformat(check_out), source, uid, block_id)


def block(conn: sqlite3.Connection, block_id: int) -> Block | None:
    row = conn.execute(f"SELECT {_BLOCK_COLUMNS} FROM blocks WHERE block_id = ?", (block_id,)).fetchone()
    return _block(row) if row else None


def blocks(conn: sqlite3.Connection, room_number: int | None) -> list[Block]:
    where, params = ("WHERE room_number = ?", (room_number,)) if room_number is not None else ("", ())
    rows = conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM blocks {where} ORDER BY room_number, check_in, block_id", params
    ).fetchall()
    return [_block(row) for row in rows]


def add_block(conn: sqlite3.Connection, new: NewBlock) -> Block:
    cursor = conn.execute(
        "INSERT INTO blocks (room_number, check_in, check_out, source, uid) VALUES (?, ?, ?, ?, ?)",
        (new.room_number, new.check_in.isoformat(), new.check_out.isoformat(), new.source, new.uid),
    )
    made = Block.from_new(int(cursor.lastrowid or 0), new)
    claim_guard_nights(conn, made.room_number, made.stay_nights(), guard_id(made.block_id))
    return made


def delete_block(conn: sqlite3.Connection, block_id: int) -> bool:
    conn.execute("DELETE FROM nights WHERE reservation_id = ?", (guard_id(block_id),))
    return conn.execute("DELETE FROM blocks WHERE block_id = ?", (block_id,)).rowcount > 0


def forget_room(conn: sqlite3.Connection, room_number: int) -> None:
    """A room removed: its blocks free their nights, and its feed token, imports and status go."""
    conn.execute(
        "DELETE FROM nights WHERE room_number = ? AND reservation_id IN"
        " (SELECT -block_id FROM blocks WHERE room_number = ?)",
        (room_number, room_number),
    )
    conn.execute("DELETE FROM blocks WHERE room_number = ?", (room_number,))
    conn.execute("DELETE FROM room_calendars WHERE room_number = ?", (room_number,))


def taken_nights(conn: sqlite3.Connection, room_number: int, start: date, end: date) -> dict[date, int]:
    rows = conn.execute(
        "SELECT night, reservation_id FROM nights WHERE room_number = ? AND night >= ? AND night < ?",
        (room_number, start.isoformat(), end.isoformat()),
    ).fetchall()
    return {date.fromisoformat(night): int(holder) for night, holder in rows}


def _calendar(row: tuple[int, str | None, str, str]) -> RoomCalendar:
    room, token, imports, status = row
    return RoomCalendar(room, token, tuple(json.loads(imports)), json.loads(status))


def calendars(conn: sqlite3.Connection, room_numbers: list[int] | None) -> list[RoomCalendar]:
    query = "SELECT room_number, token, imports, status FROM room_calendars"
    if room_numbers is None:
        rows = conn.execute(f"{query} ORDER BY room_number").fetchall()
    else:
        marks = ",".join("?" * len(room_numbers))
        rows = conn.execute(f"{query} WHERE room_number IN ({marks})", room_numbers).fetchall()
    return [_calendar(row) for row in rows]


def set_calendar(conn: sqlite3.Connection, room_number: int, update: CalendarUpdate) -> RoomCalendar:
    conn.execute("INSERT OR IGNORE INTO room_calendars (room_number) VALUES (?)", (room_number,))
    if update.token is not None:
        keep = " AND token IS NULL" if update.token_if_absent else ""
        conn.execute(
            f"UPDATE room_calendars SET token = ? WHERE room_number = ?{keep}", (update.token, room_number)
        )
    if update.imports is not None:
        conn.execute(
            "UPDATE room_calendars SET imports = ? WHERE room_number = ?",
            (json.dumps(list(update.imports)), room_number),
        )
    if update.status is not None:
        conn.execute(
            "UPDATE room_calendars SET status = ? WHERE room_number = ?",
            (json.dumps(dict(update.status)), room_number),
        )
    return calendars(conn, [room_number])[0]
