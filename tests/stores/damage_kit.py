"""Damaging a customer's table on purpose, as an old bug or a hand edit would: raw writes that
bypass the store's transactions, one per kind of damage ``Store.check`` must find."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from reservations.domain.reservation import Reservation
from reservations.stores import dynamodb_items as items
from reservations.stores.protocols import Store


def is_dynamodb(store: Store) -> bool:
    return hasattr(store, "data")


def hold_night(store: Store, table: str, room: int, night: date, holder: int) -> None:
    """Makes ``holder`` hold the room-night, whatever held it before (or nothing)."""
    if is_dynamodb(store):
        item = {**items.night_key(room, night), "reservation_id": items.n(holder)}
        _client(store, table).put_item(TableName=table, Item=item)
    else:
        _sql(store, table, "INSERT OR REPLACE INTO nights VALUES (?, ?, ?)", room, night.isoformat(), holder)


def free_night(store: Store, table: str, room: int, night: date) -> None:
    if is_dynamodb(store):
        _client(store, table).delete_item(TableName=table, Key=items.night_key(room, night))
    else:
        _sql(store, table, "DELETE FROM nights WHERE room_number = ? AND night = ?", room, night.isoformat())


def stay_without_nights(store: Store, table: str, stay: Reservation) -> None:
    """A stay written with none of its nights: where another stay holds them, a double booking."""
    if is_dynamodb(store):
        attributes = items.reservation_attributes(stay)
        client = _client(store, table)
        client.put_item(TableName=table, Item={**items.id_key(stay.reservation_id), **attributes})
        client.put_item(TableName=table, Item={**items.list_key(stay), **attributes})
    else:
        _sql(
            store,
            table,
            "INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?)",
            stay.reservation_id,
            stay.guest_name,
            stay.room_number,
            stay.nights,
            stay.check_in.isoformat(),
            stay.check_out.isoformat(),
            items.format_time(stay.created_at),
        )


def list_entry(store: Store, table: str, stay: Reservation) -> None:
    """A list item for ``stay`` (DynamoDB only: SQLite's list is its rows)."""
    item = {**items.list_key(stay), **items.reservation_attributes(stay)}
    _client(store, table).put_item(TableName=table, Item=item)


def unlist(store: Store, table: str, stay: Reservation) -> None:
    _client(store, table).delete_item(TableName=table, Key=items.list_key(stay))


def counter_back(store: Store, table: str) -> None:
    if is_dynamodb(store):
        item = {**items.COUNTER_KEY, "next_id": items.n(0)}
        _client(store, table).put_item(TableName=table, Item=item)
    else:
        _sql(store, table, "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'reservations'")


def _client(store: Store, table: str) -> Any:
    data: Callable[[str], Any] = store.data  # type: ignore[attr-defined]
    return data(table)


def _sql(store: Store, table: str, statement: str, *params: object) -> None:
    conn = store._conn(table)  # type: ignore[attr-defined]
    conn.execute(statement, params)


def later(day: date, days: int) -> date:
    return day + timedelta(days=days)
