"""Blocks and room calendars in a customer's DynamoDB table.

A block is one ``TransactWriteItems`` like a booking: its night items (``attribute_not_exists``,
holder ``-block_id``), its own item and the rooms guard of ``FrontDesk``.  Items:

==================  =======================  ==============================================
pk                  sk                       what
==================  =======================  ==============================================
``BLOCK``           ``<room>#<block id>``    one per block (room 5 digits, id 16 digits)
``CALENDAR``        ``<room>``               the room's feed token, imports and last sync
``COUNTER``         ``COUNTER``              ``next_block_id`` beside ``next_id``
==================  =======================  ==============================================
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from reservations.channels.calendar import CalendarUpdate, RoomCalendar
from reservations.domain.blocks import Block, ConflictingBlockError, NewBlock, guard_id
from reservations.domain.errors import ConflictError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import (
    backoff,
    batch_get,
    busy,
    cancellation_reasons,
    translated_errors,
)

if TYPE_CHECKING:
    from reservations.stores.dynamodb import DynamoDBStore

BLOCK_PK, CALENDAR_PK = "BLOCK", "CALENDAR"
ATTEMPTS = 4
_CCF = "ConditionalCheckFailed"


def block_key(room_number: int, block_id: int) -> items.Item:
    return items.key(BLOCK_PK, f"{room_number:05d}#{block_id:016d}")


def calendar_key(room_number: int) -> items.Item:
    return items.key(CALENDAR_PK, f"{room_number:05d}")


def _block_item(block: Block) -> items.Item:
    return {
        **block_key(block.room_number, block.block_id),
        "block_id": items.n(block.block_id),
        "room_number": items.n(block.room_number),
        "check_in": items.s(block.check_in.isoformat()),
        "check_out": items.s(block.check_out.isoformat()),
        "source": items.s(block.source),
        "uid": items.s(block.uid),
    }


def _block(item: items.Item) -> Block:
    return Block(
        int(item["room_number"]["N"]),
        date.fromisoformat(item["check_in"]["S"]),
        date.fromisoformat(item["check_out"]["S"]),
        item["source"]["S"],
        item["uid"]["S"],
        int(item["block_id"]["N"]),
    )


def _query(store: DynamoDBStore, table: str, pk: str, prefix: str) -> list[items.Item]:
    values = {":pk": items.s(pk), **({":prefix": items.s(prefix)} if prefix else {})}
    params: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else ""),
        "ExpressionAttributeValues": values,
        "ConsistentRead": True,
    }
    found: list[items.Item] = []
    while True:
        with translated_errors():
            response = store.data(table).query(**params)
        found += response.get("Items", [])
        if not response.get("LastEvaluatedKey"):
            return found
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def blocks(store: DynamoDBStore, table: str, room_number: int | None) -> list[Block]:
    prefix = f"{room_number:05d}#" if room_number is not None else ""
    return [_block(item) for item in _query(store, table, BLOCK_PK, prefix)]


def block_by_id(store: DynamoDBStore, table: str, room_number: int, block_id: int) -> Block | None:
    item = store._read(table, block_key(room_number, block_id))
    return _block(item) if item else None


def holder_conflict(
    store: DynamoDBStore, table: str, room: int, night: date, holder_id: int
) -> ConflictError:
    """The 409 for a night whose guard names ``holder_id`` (below zero: a block)."""
    if holder_id < 0:
        return ConflictingBlockError(room, night, block_by_id(store, table, room, -holder_id))
    return ConflictError(room, night, store.get(table, holder_id))


def _next_block_id(store: DynamoDBStore, table: str) -> int:
    with translated_errors():
        response = store.data(table).update_item(
            TableName=table,
            Key=items.COUNTER_KEY,
            UpdateExpression="ADD next_block_id :one",
            ExpressionAttributeValues={":one": items.n(1)},
            ReturnValues="UPDATED_NEW",
        )
    return int(response["Attributes"]["next_block_id"]["N"])


def add_block(store: DynamoDBStore, table: str, new: NewBlock) -> Block:
    """Claims the block's nights, its item and the rooms guard at once; a taken night is a 409."""
    frontdesk = store._frontdesk
    guard = frontdesk.guard(table, new.room_number)
    made = Block.from_new(_next_block_id(store, table), new)
    nights = made.stay_nights()
    for attempt in range(ATTEMPTS):
        if attempt:
            backoff(attempt)
        writes = [
            items.put(
                table,
                {
                    **items.night_key(made.room_number, night),
                    "reservation_id": items.n(guard_id(made.block_id)),
                },
                "attribute_not_exists(pk)",
            )
            for night in nights
        ]
        writes += [items.put(table, _block_item(made), "attribute_not_exists(pk)"), guard]
        try:
            _transact(store, table, writes)
            return made
        except ClientError as exc:
            reasons = cancellation_reasons(exc)
            codes = [reason.get("Code", "None") for reason in reasons]
            for index, night in enumerate(nights):
                if index < len(codes) and codes[index] == _CCF:
                    held = reasons[index].get("Item") or store._read(
                        table, items.night_key(made.room_number, night)
                    )
                    if held is not None:
                        holder = int(held["reservation_id"]["N"])
                        raise holder_conflict(store, table, made.room_number, night, holder) from None
            guard = frontdesk.guard(table, new.room_number, fresh=bool(codes) and codes[-1] == _CCF)
    raise busy()


def delete_block(store: DynamoDBStore, table: str, block: Block) -> None:
    """Releases the nights that still name the block (each conditioned on it) and its item."""
    holder = items.n(guard_id(block.block_id))
    for attempt in range(ATTEMPTS):
        if attempt:
            backoff(attempt)
        keys = [items.night_key(block.room_number, night) for night in block.stay_nights()]
        held = batch_get(store.data(table), table, keys, projection="pk, sk, reservation_id")
        mine = [item for item in held if item["reservation_id"] == holder]
        writes = [
            items.delete(table, {"pk": item["pk"], "sk": item["sk"]}, "reservation_id = :id", {":id": holder})
            for item in mine
        ]
        writes.append(items.delete(table, block_key(block.room_number, block.block_id)))
        try:
            _transact(store, table, writes)
            return
        except ClientError as exc:
            cancellation_reasons(exc)  # another write got in between: read the nights again
    raise busy()


def taken_nights(
    store: DynamoDBStore, table: str, room_number: int, start: date, end: date
) -> dict[date, int]:
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    keys = [items.night_key(room_number, day) for day in days]
    found = batch_get(store.data(table), table, keys, projection="pk, sk, reservation_id")
    return {items.night_of(item)[1]: int(item["reservation_id"]["N"]) for item in found}


def _calendar(item: items.Item) -> RoomCalendar:
    return RoomCalendar(
        int(item["sk"]["S"]),
        item["token"]["S"] if "token" in item else None,
        tuple(json.loads(item["imports"]["S"])) if "imports" in item else (),
        json.loads(item["status"]["S"]) if "status" in item else {},
    )


def calendars(store: DynamoDBStore, table: str, room_numbers: list[int] | None) -> list[RoomCalendar]:
    if room_numbers is None:
        found = _query(store, table, CALENDAR_PK, "")
    else:
        found = batch_get(store.data(table), table, [calendar_key(room) for room in room_numbers])
    return sorted((_calendar(item) for item in found), key=lambda c: c.room_number)


def _calendar_expression(room_number: int, update: CalendarUpdate) -> dict[str, Any]:
    """The ``UpdateItem`` parts that write what the update gives of a room's calendar."""
    sets: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    if update.token is not None:
        names["#token"] = "token"
        sets.append("#token = if_not_exists(#token, :token)" if update.token_if_absent else "#token = :token")
        values[":token"] = items.s(update.token)
    if update.imports is not None:
        sets.append("imports = :imports")
        values[":imports"] = items.s(json.dumps(list(update.imports)))
    if update.status is not None:
        names["#status"] = "status"
        sets.append("#status = :status")
        values[":status"] = items.s(json.dumps(dict(update.status)))
    sets.append("room_number = :room")
    values[":room"] = items.n(room_number)
    return {
        "Key": calendar_key(room_number),
        "UpdateExpression": "SET " + ", ".join(sets),
        "ExpressionAttributeValues": values,
        **({"ExpressionAttributeNames": names} if names else {}),
    }


def calendar_write(table: str, room_number: int, update: CalendarUpdate) -> dict[str, Any]:
    """The calendar's update as one item of a transaction (a room defined with its calendar)."""
    return {"Update": {"TableName": table, **_calendar_expression(room_number, update)}}


def set_calendar(store: DynamoDBStore, table: str, room_number: int, update: CalendarUpdate) -> RoomCalendar:
    """One ``UpdateItem`` of the parts given: a sync's status and a clerk's imports never undo
    each other; a room's first token is set only where none is (``if_not_exists``)."""
    with translated_errors():
        response = store.data(table).update_item(
            TableName=table, **_calendar_expression(room_number, update), ReturnValues="ALL_NEW"
        )
    return _calendar(response["Attributes"])


def release_room_blocks(store: DynamoDBStore, table: str, room_number: int) -> None:
    """A removed room's blocks free their nights, one block a transaction (a block's nights and
    item fit in one; a room's many would not)."""
    for block in blocks(store, table, room_number):
        delete_block(store, table, block)


def _store(part: ChannelsPart) -> DynamoDBStore:
    return cast("DynamoDBStore", part)


class ChannelsPart:
    """The store's channel methods (a part of ``DynamoDBStore``, kept here to keep it readable)."""

    def blocks(self, table: str, room_number: int | None = None) -> list[Block]:
        return blocks(_store(self), table, room_number)

    def add_block(self, table: str, new: NewBlock) -> Block:
        return add_block(_store(self), table, new)

    def delete_block(self, table: str, block: Block) -> None:
        delete_block(_store(self), table, block)

    def taken_nights(self, table: str, room_number: int, start: date, end: date) -> dict[date, int]:
        return taken_nights(_store(self), table, room_number, start, end)

    def calendars(self, table: str, room_numbers: list[int] | None = None) -> list[RoomCalendar]:
        return calendars(_store(self), table, room_numbers)

    def set_calendar(self, table: str, room_number: int, update: CalendarUpdate) -> RoomCalendar:
        return set_calendar(_store(self), table, room_number, update)


def _transact(store: DynamoDBStore, table: str, writes: list[dict[str, Any]]) -> None:
    with translated_errors():
        store.data(table).transact_write_items(TransactItems=writes, ClientRequestToken=uuid.uuid4().hex)
