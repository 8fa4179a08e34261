"""Availability costs reads proportional to rooms x nights, never to the reservations stored.

Counted, not timed: SQLite's query plan must search the nights' primary key per room and read
nothing else; the DynamoDB store must make one Query for the rooms and one BatchGetItem per 100
room-nights, however many reservations the table holds.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import timedelta
from typing import Any

import boto3
import pytest

from reservations.domain.rooms import Availability, Room
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore
from reservations.stores.sqlite import SqliteStore
from reservations.stores.sqlite_frontdesk import FREE_ROOMS_SQL
from tests.support.stores import DAY, NOW, new


def test_sqlite_plan_searches_the_nights_key_per_room_and_reads_nothing_else(tmp_path: Any):
    store = SqliteStore(tmp_path)
    store.create_table("t")
    for i in range(300):  # reservations in many rooms and days, to tempt a scan
        store.add("t", new(1000 + i % 50, DAY + timedelta(days=i // 50), 1), created_at=NOW)
    store.close()
    conn = sqlite3.connect(tmp_path / "tables" / "t.sqlite3")
    conn.execute("ANALYZE")
    plan = [
        row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {FREE_ROOMS_SQL}", ("2026-12-01", "2026-12-03"))
    ]
    conn.close()
    assert any(step.startswith("SCAN r") for step in plan), plan  # the rooms, once
    searches = [step for step in plan if " n " in f" {step} "]
    assert searches, plan
    assert all(
        step.startswith("SEARCH n USING PRIMARY KEY (room_number=? AND night>? AND night<?)")
        for step in searches
    ), plan
    assert not any("reservations" in step for step in plan), plan


class Calls:
    """DynamoDB operations a client makes, and how many keys its BatchGetItems ask for."""

    def __init__(self, client: Any) -> None:
        self.operations: Counter[str] = Counter()
        self.keys = 0
        self._client = client
        client.meta.events.register("before-call.dynamodb", self._record)
        client.meta.events.register("before-parameter-build.dynamodb.BatchGetItem", self._keys)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations[model.name] += 1

    def _keys(self, params: dict[str, Any], **_: Any) -> None:
        self.keys += sum(len(table["Keys"]) for table in params["RequestItems"].values())

    def stop(self) -> None:
        self._client.meta.events.unregister("before-call.dynamodb", self._record)
        self._client.meta.events.unregister("before-parameter-build.dynamodb.BatchGetItem", self._keys)


@pytest.mark.slow
def test_dynamodb_reads_rooms_once_and_room_nights_in_batches_whatever_the_table_holds(moto_endpoint: str):
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="cost_")
    client = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    store = DynamoDBStore(client)
    table = settings.table_for("star")
    store.create_table(table)
    asked = Availability(DAY, 3)

    def count() -> tuple[Counter[str], int, list[int]]:
        calls = Calls(client)
        free = store.free_rooms(table, asked)
        calls.stop()
        return calls.operations, calls.keys, free

    for number in range(1, 5):
        store.put_room(table, Room(number))
    store.add(table, new(2, DAY + timedelta(days=1), 1), created_at=NOW)
    small = count()
    for i in range(60):  # many more reservations, in the same rooms and days around them
        store.add(table, new(1 + i % 4, DAY + timedelta(days=5 + i // 4), 1), created_at=NOW)
    large = count()
    assert small == large == (Counter({"Query": 1, "BatchGetItem": 1}), 4 * 3, [1, 3, 4])

    for number in range(5, 41):  # 40 rooms x 3 nights = 120 keys: two batches
        store.put_room(table, Room(number))
    operations, keys, free = count()
    assert (operations, keys) == (Counter({"Query": 1, "BatchGetItem": 2}), 40 * 3)
    assert free == [1, *range(3, 41)]
    client.close()
