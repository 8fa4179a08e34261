"""``tenants check`` on a customer's SQLite file: the same invariants as DynamoDB's, in one transaction.

The store runs these inside its writer lock and ``BEGIN IMMEDIATE``, so the snapshot is exact (no
write can land half-way through it, unlike a DynamoDB scan) and a repair acts on exactly what was
read.  SQLite keeps a stay in one row, so only its nights (and the id sequence) can be out of step.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from reservations.stores import consistency
from reservations.stores.consistency import Problem, Report, Snapshot
from reservations.stores.sqlite_rows import COLUMNS, row_to_reservation


def snapshot(conn: sqlite3.Connection) -> Snapshot:
    stays = {
        stay.reservation_id: stay
        for stay in (row_to_reservation(row) for row in conn.execute(f"SELECT {COLUMNS} FROM reservations"))
    }
    nights = {
        (int(room), date.fromisoformat(night)): int(holder)
        for room, night, holder in conn.execute("SELECT room_number, night, reservation_id FROM nights")
    }
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'reservations'").fetchone()
    return Snapshot(stays, list(stays.values()), nights, int(row[0]) if row else 0)


def check(conn: sqlite3.Connection, table: str, *, repair: bool) -> Report:
    """Runs inside the store's write transaction (see the module docstring)."""
    problems = consistency.find_problems(snapshot(conn))
    if not repair or not problems:
        return Report(table, problems)
    repaired = consistency.repair_order(problems)
    for problem in repaired:
        _repair(conn, problem)
    return Report(table, problems, repaired, consistency.find_problems(snapshot(conn)))


def _repair(conn: sqlite3.Connection, problem: Problem) -> None:
    if problem.kind == consistency.ORPHANED_NIGHT:
        assert problem.night is not None
        conn.execute(
            "DELETE FROM nights WHERE room_number = ? AND night = ? AND reservation_id = ?",
            (problem.room_number, problem.night.isoformat(), problem.reservation_id),
        )
    elif problem.kind == consistency.MISSING_NIGHT:
        assert problem.night is not None
        conn.execute(
            "INSERT INTO nights (room_number, night, reservation_id) VALUES (?, ?, ?)",
            (problem.room_number, problem.night.isoformat(), problem.reservation_id),
        )
    elif problem.kind == consistency.COUNTER_BEHIND:
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'reservations'")
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('reservations', ?)", (problem.reservation_id,)
        )
