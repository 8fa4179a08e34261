"""SQLite files as every embedded store opens them: private, WAL with ``synchronous=FULL``, one
connection per thread, and ``BEGIN IMMEDIATE`` transactions whose failures say whether a retry helps.

Apart from ``sqlite.py`` so the registry and the directory open their files the same way without
loading the reservation store.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reservations.domain.errors import UnavailableError

_BUSY_TIMEOUT_S = 10.0


def _unavailable(exc: sqlite3.OperationalError) -> UnavailableError:
    text = str(exc).lower()
    if "full" in text:
        return UnavailableError("the store is out of disk space; nothing was written", retry_after_s=30)
    if "locked" in text or "busy" in text:
        return UnavailableError("the store is busy; nothing was written", retry_after_s=1)
    return UnavailableError(f"the store failed: {exc}; nothing was written", retry_after_s=5)


def make_private_dir(folder: Path) -> None:
    """Creates ``folder`` and its missing parents, each readable by the owner only (0700)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


class Connections:
    """One connection per thread and file: sqlite3 connections must not be shared across threads."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self, path: Path, schema: str) -> sqlite3.Connection:
        cache: dict[Path, sqlite3.Connection] = self._local.__dict__.setdefault("cache", {})
        conn = cache.get(path)
        if conn is None:
            # Guest names are personal data: only the owner reads the file (SQLite gives its -wal
            # and -shm files the database file's mode).  Only a file that is not there yet is
            # opened here: closing any descriptor of a file drops every POSIX lock this process
            # holds on it, the shared lock of another thread's connection included, and a second
            # process (``channels sync`` beside ``serve``) closing its own connection then took
            # itself for the last one and deleted the WAL under it: committed writes were lost.
            with suppress(FileExistsError):
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            conn = sqlite3.connect(
                path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(schema)
            cache[path] = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def forget(self, path: Path) -> None:
        cache: dict[Path, sqlite3.Connection] = self._local.__dict__.setdefault("cache", {})
        conn = cache.pop(path, None)
        if conn is not None:
            conn.close()

    def close_all(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE``: takes the write lock up front, so concurrent writers queue, never interleave."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _unavailable(exc) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise _unavailable(exc) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
