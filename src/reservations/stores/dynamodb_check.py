"""``tenants check`` on a DynamoDB table: read it whole, find what is out of step, repair the safe part.

The table is scanned twice (consistent reads) and only problems both scans show are reported: a
scan reads item by item, so it can see half of a transaction that commits while it runs.  Every
repair is itself conditioned on what the scan read (the night still held by the same holder, the
stay unchanged, the night still free), so a repair racing live traffic fails harmlessly instead of
undoing a booking; a failed repair is reported as remaining.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.stores import consistency
from reservations.stores import dynamodb_items as items
from reservations.stores.consistency import Problem, Report, Snapshot
from reservations.stores.dynamodb_client import translated_errors

if TYPE_CHECKING:
    from reservations.domain.reservation import Reservation

Write = dict[str, Any]


def snapshot(client: Any, table: str) -> Snapshot:
    stays: dict[int, Reservation] = {}
    listed: list[Reservation] = []
    nights: dict[tuple[int, Any], int] = {}
    counter = 0
    params: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        with translated_errors():
            response = client.scan(**params)
        for item in response.get("Items", []):
            pk = item["pk"]["S"]
            if pk == items.LIST_PK:
                listed.append(items.reservation_from_item(item))
            elif pk.startswith("ID#"):
                stay = items.reservation_from_item(item)
                stays[stay.reservation_id] = stay
            elif pk.startswith("NIGHT#"):
                nights[items.night_of(item)] = int(item["reservation_id"]["N"])
            elif pk == items.COUNTER_KEY["pk"]["S"]:
                counter = int(item.get("next_id", items.n(0))["N"])
        if not response.get("LastEvaluatedKey"):
            return Snapshot(stays, listed, nights, counter)
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def check(client: Any, table: str, *, repair: bool) -> Report:
    problems = consistency.confirmed(
        consistency.find_problems(snapshot(client, table)),
        consistency.find_problems(snapshot(client, table)),
    )
    if not repair or not problems:
        return Report(table, problems)
    repaired = [p for p in consistency.repair_order(problems) if _repair(client, table, p)]
    remaining = consistency.find_problems(snapshot(client, table))
    return Report(table, problems, repaired, remaining)


def _repair(client: Any, table: str, problem: Problem) -> bool:
    """One conditioned write; False when the table is no longer as read (nothing changed)."""
    writes = _repair_writes(table, problem)
    try:
        with translated_errors():
            if writes:
                client.transact_write_items(TransactItems=writes, ClientRequestToken=uuid.uuid4().hex)
            else:
                client.update_item(
                    TableName=table,
                    Key=items.COUNTER_KEY,
                    UpdateExpression="SET next_id = :highest",
                    ConditionExpression="attribute_not_exists(next_id) OR next_id < :highest",
                    ExpressionAttributeValues={":highest": items.n(problem.reservation_id or 0)},
                )
    except ClientError:
        return False
    return True


def _repair_writes(table: str, problem: Problem) -> list[Write]:
    """The transaction that repairs ``problem``; empty for the counter (a single UpdateItem)."""
    if problem.kind == consistency.ORPHANED_NIGHT:
        assert problem.room_number is not None
        assert problem.night is not None
        return [
            items.delete(
                table,
                items.night_key(problem.room_number, problem.night),
                "reservation_id = :holder",
                {":holder": items.n(problem.reservation_id or 0)},
            )
        ]
    if problem.kind == consistency.MISSING_NIGHT:
        assert problem.stay is not None
        assert problem.night is not None
        return [
            items.put(table, items.night_item(problem.stay, problem.night), "attribute_not_exists(pk)"),
            unchanged(table, problem.stay),
        ]
    if problem.kind == consistency.LIST_WITHOUT_STAY:
        assert problem.listed is not None
        stay_now = (
            unchanged(table, problem.stay)
            if problem.stay is not None
            else items.condition_check(
                table, items.id_key(problem.listed.reservation_id), "attribute_not_exists(pk)"
            )
        )
        entry = items.reservation_attributes(problem.listed)
        return [
            items.delete(
                table,
                items.list_key(problem.listed),
                "guest_name = :guest AND nights = :nights",
                {":guest": entry["guest_name"], ":nights": entry["nights"]},
            ),
            stay_now,
        ]
    if problem.kind == consistency.STAY_NOT_LISTED:
        assert problem.stay is not None
        listed = {**items.list_key(problem.stay), **items.reservation_attributes(problem.stay)}
        return [
            items.put(table, listed, "attribute_not_exists(pk)"),
            unchanged(table, problem.stay),
        ]
    return []


def unchanged(table: str, stay: Reservation) -> Write:
    """A transaction item that holds only while the by-id item is the stay as read."""
    return items.condition_check(table, items.id_key(stay.reservation_id), *items.stay_as_read(stay))
