"""The embedded registry: customers and their hashed API keys in one SQLite file beside the tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reservations.domain import NotFoundError, ValidationError, format_timestamp, parse_timestamp
from reservations.stores import CustomerRecord, KeyRecord
from reservations.stores.sqlite import Connections, make_private_dir, transaction

_REGISTRY_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    name TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES customers (name) ON DELETE CASCADE,
    key_id TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS api_keys_by_customer ON api_keys (customer);
"""


class SqliteRegistry:
    def __init__(self, data_dir: Path) -> None:
        self._path = Path(data_dir) / "registry.sqlite3"
        self._connections = Connections()
        self._made_dir = False

    def _conn(self) -> sqlite3.Connection:
        if not self._made_dir:
            make_private_dir(self._path.parent)
            self._made_dir = True
        return self._connections.get(self._path, _REGISTRY_SCHEMA)

    def ensure_table(self) -> None:
        self._conn()

    def create_customer(self, customer: CustomerRecord, key: KeyRecord) -> None:
        conn = self._conn()
        with transaction(conn):
            try:
                conn.execute(
                    "INSERT INTO customers VALUES (?, ?, ?, ?)",
                    (customer.name, customer.table, customer.status, format_timestamp(customer.created_at)),
                )
            except sqlite3.IntegrityError:
                raise ValidationError(f"customer {customer.name!r} already exists", field="name") from None
            conn.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                (key.key_hash, key.customer, key.key_id, format_timestamp(key.created_at)),
            )

    def get_customer(self, name: str) -> CustomerRecord | None:
        row = self._conn().execute("SELECT * FROM customers WHERE name = ?", (name,)).fetchone()
        return CustomerRecord(row[0], row[1], row[2], parse_timestamp(row[3])) if row else None

    def list_customers(self) -> list[CustomerRecord]:
        rows = self._conn().execute("SELECT * FROM customers ORDER BY name").fetchall()
        return [CustomerRecord(r[0], r[1], r[2], parse_timestamp(r[3])) for r in rows]

    def list_keys(self, name: str) -> list[KeyRecord]:
        rows = (
            self._conn()
            .execute("SELECT * FROM api_keys WHERE customer = ? ORDER BY created_at, key_id", (name,))
            .fetchall()
        )
        return [KeyRecord(r[0], r[1], r[2], parse_timestamp(r[3])) for r in rows]

    def key_and_customer(
        self, key_hash: str, name: str | None = None
    ) -> tuple[str | None, CustomerRecord | None]:
        row = self._conn().execute("SELECT customer FROM api_keys WHERE key_hash = ?", (key_hash,)).fetchone()
        return (str(row[0]) if row else None), (self.get_customer(name) if name else None)

    def replace_keys(self, name: str, key: KeyRecord) -> None:
        conn = self._conn()
        with transaction(conn):
            if conn.execute("SELECT 1 FROM customers WHERE name = ?", (name,)).fetchone() is None:
                raise NotFoundError(f"no customer named {name!r}", field="name")
            conn.execute("DELETE FROM api_keys WHERE customer = ?", (name,))
            conn.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                (key.key_hash, key.customer, key.key_id, format_timestamp(key.created_at)),
            )

    def delete_customer(self, name: str) -> None:
        conn = self._conn()
        with transaction(conn):
            conn.execute("DELETE FROM api_keys WHERE customer = ?", (name,))
            if conn.execute("DELETE FROM customers WHERE name = ?", (name,)).rowcount == 0:
                raise NotFoundError(f"no customer named {name!r}", field="name")

    def set_status(self, name: str, status: str) -> None:
        conn = self._conn()
        with transaction(conn):
            if conn.execute("UPDATE customers SET status = ? WHERE name = ?", (status, name)).rowcount == 0:
                raise NotFoundError(f"no customer named {name!r}", field="name")

    def close(self) -> None:
        self._connections.close_all()
