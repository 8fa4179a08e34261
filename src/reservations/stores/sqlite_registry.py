"""The embedded registry: customers and their hashed API keys in one SQLite file beside the tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import format_timestamp, parse_timestamp
from reservations.stores.protocols import CustomerRecord, KeyRecord
from reservations.stores.sqlite_files import Connections, make_private_dir, transaction

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
CREATE TABLE IF NOT EXISTS customer_tiers (
    name TEXT PRIMARY KEY REFERENCES customers (name) ON DELETE CASCADE,
    tier TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES customers (name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hosts_by_customer ON hosts (customer);
CREATE TABLE IF NOT EXISTS hosts_version (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO hosts_version VALUES (0, 0);
-- Triggers, so that the cascade from a deleted customer counts as a change too.
CREATE TRIGGER IF NOT EXISTS hosts_added AFTER INSERT ON hosts
    BEGIN UPDATE hosts_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS hosts_removed AFTER DELETE ON hosts
    BEGIN UPDATE hosts_version SET version = version + 1; END;
"""


_CUSTOMERS = (
    "SELECT c.name, c.table_name, c.status, c.created_at, t.tier"
    " FROM customers c LEFT JOIN customer_tiers t ON t.name = c.name"
)


def _customer(row: tuple[str, str, str, str, str | None]) -> CustomerRecord:
    return CustomerRecord(row[0], row[1], row[2], parse_timestamp(row[3]), row[4])


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
            if customer.tier is not None:
                conn.execute("INSERT INTO customer_tiers VALUES (?, ?)", (customer.name, customer.tier))
            conn.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                (key.key_hash, key.customer, key.key_id, format_timestamp(key.created_at)),
            )

    def get_customer(self, name: str) -> CustomerRecord | None:
        row = self._conn().execute(_CUSTOMERS + " WHERE c.name = ?", (name,)).fetchone()
        return _customer(row) if row else None

    def list_customers(self) -> list[CustomerRecord]:
        return [_customer(r) for r in self._conn().execute(_CUSTOMERS + " ORDER BY c.name").fetchall()]

    def set_tier(self, name: str, tier: str) -> None:
        conn = self._conn()
        with transaction(conn):
            if conn.execute("SELECT 1 FROM customers WHERE name = ?", (name,)).fetchone() is None:
                raise NotFoundError(f"no customer named {name!r}", field="name")
            conn.execute("INSERT OR REPLACE INTO customer_tiers VALUES (?, ?)", (name, tier))

    def list_keys(self, name: str) -> list[KeyRecord]:
        rows = (
            self._conn()
            .execute("SELECT * FROM api_keys WHERE customer = ? ORDER BY created_at, key_id", (name,))
            .fetchall()
        )
        return [KeyRecord(r[0], r[1], r[2], parse_timestamp(r[3])) for r in rows]

    def list_customers_with_keys(self) -> list[tuple[CustomerRecord, list[KeyRecord]]]:
        conn = self._conn()
        keys: dict[str, list[KeyRecord]] = {}
        with transaction(conn):  # one snapshot: no customer without the keys it was made with
            for r in conn.execute("SELECT * FROM api_keys ORDER BY created_at, key_id").fetchall():
                keys.setdefault(r[1], []).append(KeyRecord(r[0], r[1], r[2], parse_timestamp(r[3])))
            customers = [_customer(r) for r in conn.execute(_CUSTOMERS + " ORDER BY c.name").fetchall()]
        return [(customer, keys.get(customer.name, [])) for customer in customers]

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

    def add_host(self, host: str, customer: str) -> bool:
        conn = self._conn()
        with transaction(conn):
            if conn.execute("SELECT 1 FROM customers WHERE name = ?", (customer,)).fetchone() is None:
                raise NotFoundError(f"no customer named {customer!r}", field="name")
            row = conn.execute("SELECT customer FROM hosts WHERE host = ?", (host,)).fetchone()
            if row is not None and row[0] != customer:
                raise ValidationError(f"host {host!r} belongs to customer {row[0]!r}", field="host")
            if row is not None:
                return False
            conn.execute("INSERT INTO hosts VALUES (?, ?)", (host, customer))
            return True

    def remove_host(self, host: str) -> str:
        conn = self._conn()
        with transaction(conn):
            row = conn.execute("DELETE FROM hosts WHERE host = ? RETURNING customer", (host,)).fetchone()
        if row is None:
            raise NotFoundError(f"no customer has host {host!r}", field="host")
        return str(row[0])

    def list_hosts(self) -> dict[str, str]:
        rows = self._conn().execute("SELECT host, customer FROM hosts ORDER BY host").fetchall()
        return {str(host): str(customer) for host, customer in rows}

    def hosts_version(self) -> int:
        return int(self._conn().execute("SELECT version FROM hosts_version").fetchone()[0])

    def close(self) -> None:
        self._connections.close_all()
