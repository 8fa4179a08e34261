"""Pausing a store operation between its read and its write, to run another one in the gap.

DynamoDB: the store's client is wrapped so that the paused operation's first write request (a
transaction, or an update that is not the id counter) first runs the second operation to
completion, then goes out as the paused operation built it from its earlier reads.  SQLite: every
read is inside the write transaction, so the gap is the first write statement (the connection's
trace callback); the second operation is started on another thread and the paused one resumes only
once that thread is blocked on the table's writer lock, which shows the second cannot get in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from reservations.domain.errors import ConflictError, NotFoundError, RoomNotDefinedError, ValidationError
from reservations.stores import dynamodb_items as items
from reservations.stores.protocols import Store

# What an operation may answer when another one got in first: the outcomes of the domain.
ALLOWED = (ConflictError, NotFoundError, RoomNotDefinedError, ValidationError)
_DYNAMODB_WRITES = frozenset({"transact_write_items", "update_item", "put_item", "delete_item"})
_SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Outcome:
    """What an operation answered: its value, or the domain error it raised."""

    def __init__(self) -> None:
        self.value: object = None
        self.error: BaseException | None = None

    def run(self, operation: Callable[[], object]) -> None:
        try:
            self.value = operation()
        except ALLOWED as exc:
            self.value = exc
        except BaseException as exc:  # anything else fails the test that reads it
            self.error = exc

    def ran(self, operation: Callable[[], object]) -> Outcome:
        self.run(operation)
        return self

    def result(self) -> object:
        if self.error is not None:
            raise self.error
        return self.value


class Gap:
    """Runs ``second`` once, at the first write of the operation that is paused."""

    def __init__(self, second: Callable[[], Outcome]) -> None:
        self._second = second
        self.armed = False
        self.opened = False
        self.outcome: Outcome | None = None

    def open(self) -> None:
        if self.armed:
            self.armed = False
            self.opened = True
            self.outcome = self._second()


class PausingClient:
    def __init__(self, client: Any, gap: Gap) -> None:
        self._client = client
        self._gap = gap

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in _DYNAMODB_WRITES:
            return method

        def paused(**params: Any) -> Any:
            if params.get("Key") != items.COUNTER_KEY:  # taking an id is not acting on a read
                self._gap.open()
            return method(**params)

        return paused


class _SignallingLock:
    """The table's writer lock, telling when a second thread has to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contended = threading.Event()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            self.contended.set()
            self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def interleave(
    store: Store,
    table: str,
    first: Callable[[], object],
    second: Callable[[], object],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Outcome, Outcome, bool]:
    """Runs ``first``, pausing it at its first write to run ``second``; both outcomes, and whether
    the gap opened (an operation refused before writing, e.g. a 404, has none)."""
    later = Outcome()
    if hasattr(store, "data"):  # DynamoDB
        gap = Gap(lambda: later.ran(second))
        original = store.data
        monkeypatch.setattr(store, "data", lambda name: PausingClient(original(name), gap))
        finish: Callable[[], None] = lambda: None  # noqa: E731
    else:
        gap, finish = _sqlite_gap(store, table, second, later)
    earlier = Outcome()
    gap.armed = True
    earlier.run(first)
    gap.armed = False
    finish()
    if not gap.opened:
        later.run(second)
    return earlier, later, gap.opened


def _sqlite_gap(
    store: Any, table: str, second: Callable[[], object], later: Outcome
) -> tuple[Gap, Callable[[], None]]:
    lock = _SignallingLock()
    store._write_locks[table] = lock
    conn = store._conn(table)  # this thread's connection: the one ``first`` runs on
    thread = threading.Thread(target=later.run, args=(second,))

    def start_second() -> Outcome:
        thread.start()
        # Resume once the second operation is queued behind the paused one's lock (or, had it
        # needed no lock, done).
        while not lock.contended.wait(0.01) and thread.is_alive():
            pass
        return later

    gap = Gap(start_second)

    def trace(statement: str) -> None:
        if statement.lstrip().upper().startswith(_SQL_WRITES):
            gap.open()

    conn.set_trace_callback(trace)

    def finish() -> None:
        conn.set_trace_callback(None)
        if thread.is_alive() or gap.opened:
            thread.join()

    return gap, finish
