"""The item layout of the DynamoDB tables, in DynamoDB's low-level attribute-value format.

Kept apart from the store so the layout (which the Terraform tables and any data migration depend
on) reads in one place, and so the store never imports boto3's resource layer (slower cold start)
just to (de)serialise.

Customer table (``pk`` S HASH, ``sk`` S RANGE, TTL on ``expires_at``):

=========================  =========  ==================================================
pk                         sk         what
=========================  =========  ==================================================
``RES``                    list key   every reservation, sorted by the list order
``ID#<id>``                ``ID``     the same reservation, by id (get, delete)
``NIGHT#<room>#<day>``     ``NIGHT``  one per booked room-night: the double-booking guard
``COUNTER``                ``COUNTER`` ``next_id``: ids increase and are never reused
``IDEM#<sha256(key)>``     ``IDEM``   an Idempotency-Key, its request and its answer
``ROOM``                   ``<room>`` one per defined room (5 digits: number order);
                                      ``version`` grows with each booking into it
``ROOMS``                  ``ROOMS``  ``room_count``: how many rooms are defined
=========================  =========  ==================================================

Registry table: ``CUSTOMER#<name>``/``CUSTOMER`` (the customer), ``CUSTOMER#<name>``/``KEY#<hash>``
(its keys, one Query), ``KEY#<hash>``/``KEY`` (the key's owner, one GetItem per request).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from reservations.domain.parsing import format_timestamp, parse_timestamp
from reservations.domain.reservation import Cursor, Reservation
from reservations.domain.rooms import Room
from reservations.stores.protocols import CustomerRecord, KeyRecord

Item = dict[str, dict[str, Any]]

LIST_PK = "RES"
COUNTER_KEY: Item = {"pk": {"S": "COUNTER"}, "sk": {"S": "COUNTER"}}
TTL_ATTRIBUTE = "expires_at"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def key(pk: str, sk: str) -> Item:
    return {"pk": s(pk), "sk": s(sk)}


def format_time(moment: datetime) -> str:
    return format_timestamp(moment)  # the same text as strftime(_TIME_FORMAT), several times faster


def parse_time(text: str) -> datetime:
    """Only the stored format is accepted; parsed by ``fromisoformat`` (C), not ``strptime``,
    which was the largest part of a list page's CPU time on Lambda."""
    if len(text) != 20 or text[10] != "T" or text[-1] != "Z":
        return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)  # raises ValueError as before
    return parse_timestamp(text)


# --------------------------------------------------------------------------- reservations


def list_sort_key(check_in: date, room_number: int, reservation_id: int) -> str:
    """Fixed-width so that string order is the list order (check-in, room, id)."""
    return f"{check_in.isoformat()}#{room_number:05d}#{reservation_id:016d}"


def list_key(reservation: Reservation) -> Item:
    return key(
        LIST_PK, list_sort_key(reservation.check_in, reservation.room_number, reservation.reservation_id)
    )


def after_cursor(cursor: Cursor) -> str:
    """The smallest list key strictly after ``cursor`` (ids are integers, so id + 1 is the successor)."""
    return list_sort_key(cursor.check_in, cursor.room_number, cursor.reservation_id + 1)


def cursor_of(sort_key: str) -> Cursor:
    day, room, rid = sort_key.split("#")
    return Cursor(date.fromisoformat(day), int(room), int(rid))


def id_key(reservation_id: int) -> Item:
    return key(f"ID#{reservation_id}", "ID")


def night_key(room_number: int, night: date) -> Item:
    return key(f"NIGHT#{room_number}#{night.isoformat()}", "NIGHT")


def night_of(item: Item) -> tuple[int, date]:
    _, room, day = item["pk"]["S"].split("#")
    return int(room), date.fromisoformat(day)


def reservation_attributes(reservation: Reservation) -> Item:
    """Everything a page or a get returns, so neither needs a second read."""
    return {
        "reservation_id": n(reservation.reservation_id),
        "guest_name": s(reservation.guest_name),
        "room_number": n(reservation.room_number),
        "nights": n(reservation.nights),
        "check_in": s(reservation.check_in.isoformat()),
        "check_out": s(reservation.check_out.isoformat()),
        "created_at": s(format_time(reservation.created_at)),
    }


def reservation_from_item(item: Item) -> Reservation:
    return Reservation(
        reservation_id=int(item["reservation_id"]["N"]),
        guest_name=item["guest_name"]["S"],
        room_number=int(item["room_number"]["N"]),
        nights=int(item["nights"]["N"]),
        check_in=date.fromisoformat(item["check_in"]["S"]),
        created_at=parse_time(item["created_at"]["S"]),
    )


def stay_as_read(stay: Reservation) -> tuple[str, dict[str, Any]]:
    """The condition "the by-id item is still this stay", with its values.

    Every write that acts on a read of a reservation carries it on the by-id item, so a change or
    delete that commits in between fails the write (to be read again) instead of being overwritten.
    """
    return (
        "room_number = :room AND check_in = :in AND nights = :nights AND guest_name = :guest",
        {
            ":room": n(stay.room_number),
            ":in": s(stay.check_in.isoformat()),
            ":nights": n(stay.nights),
            ":guest": s(stay.guest_name),
        },
    )


def night_item(reservation: Reservation, night: date) -> Item:
    return {**night_key(reservation.room_number, night), "reservation_id": n(reservation.reservation_id)}


# --------------------------------------------------------------------------- rooms

ROOM_PK = "ROOM"
ROOMS_KEY: Item = {"pk": {"S": "ROOMS"}, "sk": {"S": "ROOMS"}}


def room_key(room_number: int) -> Item:
    return key(ROOM_PK, f"{room_number:05d}")


def room_item(room: Room) -> Item:
    item: Item = {**room_key(room.room_number), "room_number": n(room.room_number), "version": n(0)}
    if room.name is not None:
        item["name"] = s(room.name)
    if room.notes is not None:
        item["notes"] = s(room.notes)
    return item


def room_from_item(item: Item) -> Room:
    return Room(
        room_number=int(item["room_number"]["N"]),
        name=item["name"]["S"] if "name" in item else None,
        notes=item["notes"]["S"] if "notes" in item else None,
    )


# --------------------------------------------------------------------------- idempotency


def idempotency_record_key(key_hash: str) -> Item:
    """``key_hash``: the service passes the sha256 hex of the client's key, never the key itself."""
    return key(f"IDEM#{key_hash}", "IDEM")


def idempotency_item(token: str, fingerprint: str, expires_at: datetime, reservation: Reservation) -> Item:
    return {
        **idempotency_record_key(token),
        "fingerprint": s(fingerprint),
        "reservation": s(json.dumps(reservation.to_json(), separators=(",", ":"))),
        TTL_ATTRIBUTE: n(int(expires_at.timestamp())),
    }


def idempotency_snapshot(item: Item) -> tuple[str, Reservation, int]:
    """(fingerprint, the reservation first returned, expiry in epoch seconds)."""
    reservation = Reservation.from_json(json.loads(item["reservation"]["S"]))
    return item["fingerprint"]["S"], reservation, int(item[TTL_ATTRIBUTE]["N"])


# --------------------------------------------------------------------------- registry


def customer_key(name: str) -> Item:
    return key(f"CUSTOMER#{name}", "CUSTOMER")


def customer_item(customer: CustomerRecord) -> Item:
    item = {
        **customer_key(customer.name),
        "name": s(customer.name),
        "table": s(customer.table),
        "status": s(customer.status),
        "created_at": s(format_time(customer.created_at)),
        "keys_version": n(0),
    }
    return item | ({"tier": s(customer.tier)} if customer.tier is not None else {})


def customer_from_item(item: Item) -> CustomerRecord:
    return CustomerRecord(
        name=item["name"]["S"],
        table=item["table"]["S"],
        status=item["status"]["S"],
        created_at=parse_time(item["created_at"]["S"]),
        tier=item["tier"]["S"] if "tier" in item else None,
    )


def owner_key(key_hash: str) -> Item:
    return key(f"KEY#{key_hash}", "KEY")


def listed_key(name: str, key_hash: str) -> Item:
    return key(f"CUSTOMER#{name}", f"KEY#{key_hash}")


def key_attributes(record: KeyRecord) -> Item:
    return {
        "key_hash": s(record.key_hash),
        "customer": s(record.customer),
        "key_id": s(record.key_id),
        "created_at": s(format_time(record.created_at)),
    }


def key_from_item(item: Item) -> KeyRecord:
    return KeyRecord(
        key_hash=item["key_hash"]["S"],
        customer=item["customer"]["S"],
        key_id=item["key_id"]["S"],
        created_at=parse_time(item["created_at"]["S"]),
    )


# --------------------------------------------------------------------------- transaction items


def put(table: str, item: Item, condition: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": table,
        "Item": item,
        "ConditionExpression": condition,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",  # saves a read to name the holder
    }
    if values:
        request["ExpressionAttributeValues"] = values
    return {"Put": request}


def delete(
    table: str, item_key: Item, condition: str | None = None, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": table, "Key": item_key}
    if condition:
        request["ConditionExpression"] = condition
    if values:
        request["ExpressionAttributeValues"] = values
    return {"Delete": request}


def update(
    table: str, item_key: Item, expression: str, condition: str, values: dict[str, Any]
) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": item_key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def condition_check(
    table: str, item_key: Item, condition: str, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": table, "Key": item_key, "ConditionExpression": condition}
    if values:
        request["ExpressionAttributeValues"] = values
    return {"ConditionCheck": request}
