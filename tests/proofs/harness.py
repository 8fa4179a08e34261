"""What every proof suite shares: starting a stack outside pytest, raw HTTP, reading a customer's store.

The fast tests (``tests/proofs/test_*.py``) and the long runs (``python -m bench.soak``) call the same
suite functions with different sizes, so the figures in ``docs/reliability.md`` come from the code the
test suite keeps green.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from reservations.domain.parsing import today_utc
from reservations.settings import Settings
from tests.support.aws import FAKE_AWS_ENV, UNSET_AWS_ENV, running_moto
from tests.support.server import Gateway, start_gateway
from tests.support.settings import settings_for as support_settings


def day(offset: int) -> str:
    """A check-in ``offset`` days from today (UTC), as the API writes it."""
    return (today_utc() + timedelta(days=offset)).isoformat()


def settings_for(kind: str, tmp: Path, moto_endpoint: str | None) -> Settings:
    """A proof's store: as the suites' (tests/support/settings.py), without tenant-scoped credentials."""
    return support_settings(kind, tmp, moto_endpoint, tenant_role_arn=None, prefix="p")


@contextmanager
def serial_moto() -> Iterator[str]:
    """moto's server (one request at a time, see tests/serial_moto.py) for runs outside pytest."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per DynamoDB call otherwise
    os.environ.update(FAKE_AWS_ENV)
    for name in UNSET_AWS_ENV:
        os.environ.pop(name, None)
    with running_moto() as endpoint:
        yield endpoint


@contextmanager
def running_gateway(settings: Settings, tmp: Path, customers: list[str], *extra: str) -> Iterator[Gateway]:
    tmp.mkdir(parents=True, exist_ok=True)
    gateway = start_gateway(settings, tmp, extra_args=extra)
    try:
        for name in customers:
            gateway.create_customer(name)
        yield gateway
    finally:
        gateway.stop()


def list_all(url: str, headers: dict[str, str], client: httpx.Client | None = None) -> list[dict[str, Any]]:
    """Every reservation of the customer, following ``next_cursor`` to the end."""
    own = client or httpx.Client(timeout=30)
    try:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 500}
        while True:
            response = own.get(f"{url}/reservations", params=params, headers=headers)
            response.raise_for_status()
            page = response.json()
            items += page["items"]
            if page["next_cursor"] is None:
                return items
            params = {"limit": 500, "cursor": page["next_cursor"]}
    finally:
        if client is None:
            own.close()


def all_rooms(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every room of the customer (at most 1000, one page)."""
    response = httpx.get(f"{url}/rooms", params={"limit": 1000}, headers=headers, timeout=30)
    response.raise_for_status()
    rooms: list[dict[str, Any]] = response.json()["items"]
    return rooms


def clear_rooms(url: str, headers: dict[str, str]) -> None:
    """Removes every room of the customer, first cancelling any stay that holds one."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while rooms := all_rooms(url, headers):
            for room in rooms:
                response = client.delete(f"/rooms/{room['room_number']}")
                if response.status_code == 409:
                    holder = response.json()["error"]["conflicting_reservation"]["reservation_id"]
                    client.delete(f"/reservations/{holder}")


def raw_exchange(url: str, request: bytes, timeout: float = 10) -> tuple[int | None, bytes, bytes]:
    """Sends bytes as they are (no client library fixes them up); returns status, headers, body.

    ``None`` as status means the server closed the connection without an answer.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.startswith(b"HTTP/1.1 "):
        return None, b"", raw
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head[9:12])
    return status, head, body


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def overlapping(items: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs of reservations that share a room-night (must be empty: no double booking)."""
    held: dict[tuple[int, date], int] = {}
    clashes = []
    for item in items:
        start = date.fromisoformat(item["check_in"])
        for offset in range(item["nights"]):
            slot = (item["room_number"], start + timedelta(days=offset))
            if slot in held:
                clashes.append((held[slot], item["reservation_id"]))
            held[slot] = item["reservation_id"]
    return clashes


@dataclass
class Figures:
    """What a suite reports: counts by name, and the first few failures in words."""

    suite: str
    store: str
    counts: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "store": self.store,
            **self.counts,
            "failures": len(self.failures),
            "failure_examples": self.failures[:10],
        }


def tables_of(settings: Settings) -> set[str]:
    """The customer tables that exist: files for SQLite, tables with our prefix for DynamoDB."""
    if settings.store == "sqlite":
        folder = settings.data_dir / "tables"
        # a table is its .sqlite3 file; its -wal, -shm and writers' .lock come and go beside it
        return {p.name for p in folder.glob("*.sqlite3")} if folder.is_dir() else set()
    import boto3

    client = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.region)
    try:
        names = client.list_tables(Limit=100).get("TableNames", [])
    finally:
        client.close()
    return {name for name in names if name.startswith(settings.table_prefix)}


def table_problems(settings: Settings, customer: str) -> list[str]:
    """What ``reservations tenants check`` finds in a customer's table: the store's own invariants
    (every night held by the stay covering it, the list equal to the stays), beyond what HTTP shows."""
    import dataclasses

    from reservations.stores import open_store

    store = open_store(dataclasses.replace(settings, tenant_role_arn=None))
    try:
        return [problem.message for problem in store.check(settings.table_for(customer)).problems]
    finally:
        store.close()
