"""The cells' directory in one SQLite file (``directory.sqlite3``): the local stack's control plane."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.stores.directory import Placement, placed_elsewhere
from reservations.stores.sqlite_files import Connections, make_private_dir, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS placements (
    customer TEXT PRIMARY KEY,
    cell TEXT NOT NULL,
    moving_to TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES placements (customer) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS version (id INTEGER PRIMARY KEY CHECK (id = 0), version INTEGER NOT NULL);
INSERT OR IGNORE INTO version VALUES (0, 0);
"""
_BUMP = "UPDATE version SET version = version + 1"


class SqliteDirectory:
    def __init__(self, data_dir: Path) -> None:
        self._path = Path(data_dir) / "directory.sqlite3"
        self._connections = Connections()

    def _conn(self) -> sqlite3.Connection:
        make_private_dir(self._path.parent)
        return self._connections.get(self._path, _SCHEMA)

    def ensure_table(self) -> None:
        self._conn()

    def place(self, customer: str, cell: str) -> bool:
        conn = self._conn()
        with transaction(conn):
            row = conn.execute("SELECT cell FROM placements WHERE customer = ?", (customer,)).fetchone()
            if row is not None and row[0] != cell:
                raise ValidationError(placed_elsewhere(customer, row[0]), field="cell")
            if row is not None:
                return False
            conn.execute("INSERT INTO placements VALUES (?, ?, NULL)", (customer, cell))
            conn.execute(_BUMP)
            return True

    def begin_move(self, customer: str, to_cell: str) -> Placement:
        conn = self._conn()
        with transaction(conn):
            now = self._read(conn, customer)
            if now.cell == to_cell:
                raise ValidationError(placed_elsewhere(customer, to_cell) + " already", field="to")
            if now.moving_to not in (None, to_cell):
                raise ValidationError(f"customer {customer!r} is moving to {now.moving_to!r}", field="to")
            conn.execute("UPDATE placements SET moving_to = ? WHERE customer = ?", (to_cell, customer))
            conn.execute(_BUMP)
        return Placement(customer, now.cell, to_cell)

    def finish_move(self, customer: str) -> Placement:
        conn = self._conn()
        with transaction(conn):
            now = self._read(conn, customer)
            if now.moving_to is None:
                raise ValidationError(f"customer {customer!r} is not moving", field="name")
            conn.execute(
                "UPDATE placements SET cell = moving_to, moving_to = NULL WHERE customer = ?", (customer,)
            )
            conn.execute(_BUMP)
        return Placement(customer, now.moving_to)

    def remove(self, customer: str) -> None:
        conn = self._conn()
        with transaction(conn):
            if conn.execute("DELETE FROM placements WHERE customer = ?", (customer,)).rowcount == 0:
                raise NotFoundError(f"customer {customer!r} is in no cell", field="name")
            conn.execute(_BUMP)

    def placement(self, customer: str) -> Placement | None:
        row = self._conn().execute("SELECT * FROM placements WHERE customer = ?", (customer,)).fetchone()
        return Placement(*row) if row else None

    def placements(self) -> list[Placement]:
        rows = self._conn().execute("SELECT * FROM placements ORDER BY customer").fetchall()
        return [Placement(*row) for row in rows]

    def add_host(self, host: str, customer: str) -> bool:
        conn = self._conn()
        with transaction(conn):
            self._read(conn, customer)
            row = conn.execute("SELECT customer FROM hosts WHERE host = ?", (host,)).fetchone()
            if row is not None and row[0] != customer:
                raise ValidationError(f"host {host!r} belongs to customer {row[0]!r}", field="host")
            if row is not None:
                return False
            conn.execute("INSERT INTO hosts VALUES (?, ?)", (host, customer))
            conn.execute(_BUMP)
            return True

    def remove_host(self, host: str) -> str:
        conn = self._conn()
        with transaction(conn):
            row = conn.execute("DELETE FROM hosts WHERE host = ? RETURNING customer", (host,)).fetchone()
            if row is None:
                raise NotFoundError(f"no customer has host {host!r}", field="host")
            conn.execute(_BUMP)
        return str(row[0])

    def hosts(self) -> dict[str, str]:
        rows = self._conn().execute("SELECT host, customer FROM hosts ORDER BY host").fetchall()
        return {str(host): str(customer) for host, customer in rows}

    def version(self) -> int:
        return int(self._conn().execute("SELECT version FROM version").fetchone()[0])

    def close(self) -> None:
        self._connections.close_all()

    @staticmethod
    def _read(conn: sqlite3.Connection, customer: str) -> Placement:
        row = conn.execute("SELECT * FROM placements WHERE customer = ?", (customer,)).fetchone()
        if row is None:
            raise NotFoundError(f"customer {customer!r} is in no cell", field="name")
        return Placement(*row)
