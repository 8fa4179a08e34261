"""The embedded store: one SQLite file per customer table, plus a registry file.

Each customer's reservations live in their own file, so their data is physically separate and a
customer can be dropped by deleting one file.  WAL mode with ``synchronous=FULL``: a commit has
reached the disk before the caller (and so the HTTP client) hears of it.  Double booking is refused
by the primary key of the ``nights`` table inside the same ``BEGIN IMMEDIATE`` transaction that
writes the reservation, never by a check in Python.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reservations.domain.errors import (
    IdempotencyMismatchError,
    NotFoundError,
    ValidationError,
)
from reservations.domain.parsing import format_timestamp, parse_timestamp
from reservations.domain.reservation import AddResult, Cursor, ListQuery, NewReservation, Page, Reservation
from reservations.stores import sqlite_channels, sqlite_check, sqlite_rows
from reservations.stores import sqlite_frontdesk as frontdesk
from reservations.stores.protocols import IdempotencyClaim, TableInfo
from reservations.stores.sqlite_files import Connections, make_private_dir, transaction
from reservations.stores.sqlite_rows import COLUMNS, row_to_reservation

if TYPE_CHECKING:
    from reservations.channels.calendar import CalendarUpdate, RoomCalendar
    from reservations.domain.blocks import Block, NewBlock
    from reservations.domain.change import ReservationChange
    from reservations.domain.rooms import Availability, Room, RoomPage, RoomQuery
    from reservations.stores.consistency import Report

_SAFE_TABLE = re.compile(r"[A-Za-z0-9._-]{1,255}")

_TABLE_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id INTEGER PRIMARY KEY AUTOINCREMENT,
    guest_name TEXT NOT NULL,
    room_number INTEGER NOT NULL,
    nights INTEGER NOT NULL,
    check_in TEXT NOT NULL,
    check_out TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_by_stay ON reservations (check_in, room_number, reservation_id);
CREATE INDEX IF NOT EXISTS reservations_by_room ON reservations (room_number, check_in, reservation_id);
CREATE TABLE IF NOT EXISTS nights (
    room_number INTEGER NOT NULL,
    night TEXT NOT NULL,
    reservation_id INTEGER NOT NULL,
    PRIMARY KEY (room_number, night)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rooms (
    room_number INTEGER PRIMARY KEY,
    name TEXT,
    notes TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    key_hash TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    reservation_id INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
"""
    + sqlite_channels.SCHEMA
)


class SqliteStore:
    def __init__(self, data_dir: Path) -> None:
        self._dir = Path(data_dir) / "tables"
        self._connections = Connections()
        self._write_locks: dict[str, threading.Lock] = {}
        self._lock_fds: dict[str, int] = {}
        self._locks_lock = threading.Lock()

    @contextmanager
    def _writer(self, table: str) -> Iterator[None]:
        """Queues writers per table before SQLite's own lock, in this process and across processes.

        SQLite's busy handler polls with sleeps of up to 100 ms: with many threads, or several
        ``serve --workers``, waiting on one file, that turned a 200-way race into seconds and a
        write p99 into most of a second.  A thread lock, then an ``flock`` on a lock file beside
        the table, block in the kernel and hand over as soon as the holder commits.
        """
        lock = self._write_locks.get(table)
        if lock is None:
            with self._locks_lock:
                lock = self._write_locks.setdefault(table, threading.Lock())
        with lock:
            fd = self._lock_fds.get(table)
            if fd is None:
                fd = os.open(f"{self._path(table)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                self._lock_fds[table] = fd
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _path(self, table: str) -> Path:
        if not _SAFE_TABLE.fullmatch(table):
            raise ValidationError(f"invalid table name {table!r}")
        return self._dir / f"{table}.sqlite3"

    def _conn(self, table: str) -> sqlite3.Connection:
        path = self._path(table)
        if not path.exists():
            self._connections.forget(path)
            raise NotFoundError("unknown customer table")
        return self._connections.get(path, _TABLE_SCHEMA)

    def create_table(self, table: str) -> None:
        path = self._path(table)
        make_private_dir(self._dir)
        self._connections.get(path, _TABLE_SCHEMA)

    def table_info(self, table: str) -> TableInfo | None:
        return TableInfo(deletion_protection=False) if self._path(table).exists() else None

    def drop_table(self, table: str) -> None:
        path = self._path(table)
        self._connections.forget(path)
        fd = self._lock_fds.pop(table, None)
        if fd is not None:
            os.close(fd)
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def add(
        self,
        table: str,
        new: NewReservation,
        *,
        created_at: datetime,
        idempotency: IdempotencyClaim | None = None,
    ) -> AddResult:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            if idempotency is not None:
                row = conn.execute(
                    "SELECT fingerprint, snapshot, expires_at FROM idempotency WHERE key_hash = ?",
                    (idempotency.key,),
                ).fetchone()
                if row is not None and parse_timestamp(row[2]) > created_at:
                    if row[0] != idempotency.fingerprint:
                        raise IdempotencyMismatchError(
                            "this Idempotency-Key was used with a different request", field="Idempotency-Key"
                        )
                    return AddResult(Reservation.from_json(json.loads(row[1])), replayed=True)
            frontdesk.check_room(conn, new.room_number)
            cursor = conn.execute(
                "INSERT INTO reservations (guest_name, room_number, nights, check_in, check_out, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    new.guest_name,
                    new.room_number,
                    new.nights,
                    new.check_in.isoformat(),
                    new.check_out.isoformat(),
                    format_timestamp(created_at),
                ),
            )
            reservation_id = int(cursor.lastrowid or 0)
            reservation = Reservation.from_new(reservation_id, new, created_at.replace(microsecond=0))
            sqlite_rows.claim_nights(conn, reservation, table)
            if idempotency is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?)",
                    (
                        idempotency.key,
                        idempotency.fingerprint,
                        reservation_id,
                        json.dumps(reservation.to_json()),
                        format_timestamp(idempotency.expires_at),
                    ),
                )
                conn.execute("DELETE FROM idempotency WHERE expires_at < ?", (format_timestamp(created_at),))
        return AddResult(reservation, replayed=False)

    def get(self, table: str, reservation_id: int) -> Reservation | None:
        row = (
            self._conn(table)
            .execute(f"SELECT {COLUMNS} FROM reservations WHERE reservation_id = ?", (reservation_id,))
            .fetchone()
        )
        return row_to_reservation(row) if row else None

    def delete(self, table: str, reservation_id: int) -> Reservation:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            row = conn.execute(
                f"SELECT {COLUMNS} FROM reservations WHERE reservation_id = ?", (reservation_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError("no such reservation", field="reservation_id")
            conn.execute(
                "DELETE FROM nights WHERE reservation_id = ? AND room_number = ?", (reservation_id, row[2])
            )
            conn.execute("DELETE FROM reservations WHERE reservation_id = ?", (reservation_id,))
        return row_to_reservation(row)

    def change(self, table: str, reservation_id: int, change: ReservationChange) -> Reservation:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            return frontdesk.change(conn, table, reservation_id, change)

    def put_room(self, table: str, room: Room, calendar: CalendarUpdate | None = None) -> bool:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            created = frontdesk.put_room(conn, room)
            if calendar is not None:
                sqlite_channels.set_calendar(conn, room.room_number, calendar)
            return created

    def list_rooms(self, table: str, query: RoomQuery) -> RoomPage:
        return frontdesk.list_rooms(self._conn(table), query)

    def delete_room(self, table: str, room_number: int, today: date) -> Room:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            removed = frontdesk.delete_room(conn, room_number, today)
            sqlite_channels.forget_room(conn, room_number)
            return removed

    def free_rooms(self, table: str, availability: Availability) -> list[int]:
        return frontdesk.free_rooms(self._conn(table), availability)

    # ----------------------------------------------------------------------- channels

    def blocks(self, table: str, room_number: int | None = None) -> list[Block]:
        return sqlite_channels.blocks(self._conn(table), room_number)

    def add_block(self, table: str, new: NewBlock) -> Block:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            frontdesk.check_room(conn, new.room_number)
            return sqlite_channels.add_block(conn, new)

    def delete_block(self, table: str, block: Block) -> None:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            sqlite_channels.delete_block(conn, block.block_id)

    def taken_nights(self, table: str, room_number: int, start: date, end: date) -> dict[date, int]:
        return sqlite_channels.taken_nights(self._conn(table), room_number, start, end)

    def calendars(self, table: str, room_numbers: list[int] | None = None) -> list[RoomCalendar]:
        return sqlite_channels.calendars(self._conn(table), room_numbers)

    def set_calendar(self, table: str, room_number: int, update: CalendarUpdate) -> RoomCalendar:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            return sqlite_channels.set_calendar(conn, room_number, update)

    def check(self, table: str, *, repair: bool = False) -> Report:
        conn = self._conn(table)
        with self._writer(table), transaction(conn):
            return sqlite_check.check(conn, table, repair=repair)

    def list(self, table: str, query: ListQuery) -> Page:
        clauses: list[str] = []
        params: list[object] = []
        if query.cursor is not None:
            clauses.append("(check_in, room_number, reservation_id) > (?, ?, ?)")
            params += [
                query.cursor.check_in.isoformat(),
                query.cursor.room_number,
                query.cursor.reservation_id,
            ]
        earliest = query.earliest_check_in()
        if earliest is not None and query.start is not None:
            clauses += ["check_in >= ?", "check_out > ?"]
            params += [earliest.isoformat(), query.start.isoformat()]
        if query.end is not None:
            clauses.append("check_in < ?")
            params.append(query.end.isoformat())
        if query.room_number is not None:
            clauses.append("room_number = ?")
            params.append(query.room_number)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = (
            self._conn(table)
            .execute(
                f"SELECT {COLUMNS} FROM reservations {where}"
                " ORDER BY check_in, room_number, reservation_id LIMIT ?",
                [*params, query.limit + 1],
            )
            .fetchall()
        )
        items = [row_to_reservation(row) for row in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items, Cursor.after(items[-1]).encode() if more and items else None)

    def close(self) -> None:
        self._connections.close_all()
        for fd in self._lock_fds.values():
            os.close(fd)
        self._lock_fds.clear()
