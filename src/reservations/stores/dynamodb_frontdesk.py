"""The front desk in a customer's DynamoDB table: rooms, availability, changing a stay in place.

Each write is one ``TransactWriteItems``, like the store's adds and deletes:

* The rooms rule rides in the booking's own transaction as a *guard* item: for a defined room an
  ``Update`` that bumps the room's ``version`` (so removing the room, which is conditional on the
  version it read, cannot cross a booking into it), otherwise a ``ConditionCheck`` that the
  customer has no rooms at all.
* A change rewrites the by-id and list items (conditional on the reservation being as read), claims
  the nights it gains (``attribute_not_exists``) and releases those it loses, all at once; nights
  it keeps are not touched, so they never conflict with themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.domain.change import ReservationChange, moves
from reservations.domain.errors import ConflictError, NoRoomsError, NotFoundError, RoomInUseError
from reservations.domain.reservation import ListQuery, Reservation
from reservations.domain.rooms import (
    MAX_ROOMS,
    Availability,
    Room,
    RoomPage,
    RoomQuery,
    room_not_defined,
    too_many_rooms,
)
from reservations.stores import dynamodb_channels as channels
from reservations.stores import dynamodb_items as items
from reservations.stores import dynamodb_stale as stale
from reservations.stores.dynamodb_client import (
    backoff,
    batch_get,
    busy,
    cancellation_reasons,
    translated_errors,
)

if TYPE_CHECKING:
    from reservations.channels.calendar import CalendarUpdate
    from reservations.stores.dynamodb import DynamoDBStore

TRANSACTION_ATTEMPTS = 4
_CCF = "ConditionalCheckFailed"
Write = dict[str, Any]


@dataclass
class ChangePlan:
    """A change's transaction and the positions in it that explain a cancellation."""

    writes: list[Write]
    claimed: list[tuple[int, date]] = field(default_factory=list)  # (index, night) of each claim
    released: dict[int, date] = field(default_factory=dict)  # index -> night of each release
    guard_at: int | None = None  # the rooms guard, when the change moves the stay


class FrontDesk:
    def __init__(self, store: DynamoDBStore) -> None:
        self._store = store  # every call goes through store.data(table): the customer's own client
        # Per table, whether this process last saw the customer with rooms: a guess that picks the
        # guard's condition without a read; the transaction checks it, and a wrong one is re-read.
        self._has_rooms: dict[str, bool] = {}

    # ----------------------------------------------------------------------- the rooms rule

    def guard(self, table: str, room_number: int, *, fresh: bool = False) -> Write:
        """The transaction item that makes a booking into ``room_number`` obey the rooms rule.

        Usually no read: the process's guess (``_has_rooms``) picks the condition and the
        transaction verifies it.  ``fresh`` (after the guard failed) reads the room and the count,
        and raises the rule's ``ValidationError`` when the customer has rooms and this is not one.
        """
        has_rooms = None if fresh else self._has_rooms.get(table)
        if has_rooms is None:
            found = self._batch_get(table, [items.room_key(room_number), items.ROOMS_KEY])
            meta = next((i for i in found if i["pk"]["S"] == "ROOMS"), None)
            has_rooms = meta is not None and int(meta.get("room_count", {"N": "0"})["N"]) > 0
            self._has_rooms[table] = has_rooms
            if has_rooms and not any(i["pk"]["S"] == items.ROOM_PK for i in found):
                raise room_not_defined(room_number)
        if has_rooms:
            return items.update(
                table,
                items.room_key(room_number),
                "ADD version :one",
                "attribute_exists(pk)",
                {":one": items.n(1)},
            )
        return items.condition_check(
            table, items.ROOMS_KEY, "attribute_not_exists(pk) OR room_count = :zero", {":zero": items.n(0)}
        )

    # ----------------------------------------------------------------------- change

    def change(self, table: str, reservation_id: int, requested: ReservationChange) -> Reservation:
        fresh = False
        left_behind = stale.StaleNights()  # nights to claim whose holder is gone (damage)
        not_held: set[date] = set()  # nights to release that are not the stay's own (damage)
        for attempt in range(TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            before = self._store.get(table, reservation_id)
            if before is None:
                raise NotFoundError(f"no reservation {reservation_id}", field="reservation_id")
            after = requested.apply(before)
            if after == before:
                return before
            plan = self._change_writes(table, before, after, fresh=fresh, damaged=(left_behind, not_held))
            try:
                self._transact(table, plan.writes)
                return after
            except ClientError as exc:
                reasons = cancellation_reasons(exc)
                codes = [reason.get("Code", "None") for reason in reasons]
                failed = {index for index, code in enumerate(codes) if code == _CCF}
                fresh = plan.guard_at in failed
                if fresh or 0 in failed:
                    continue  # the rooms rule first (as in SQLite), or the stay changed: read again
                for index, night in plan.claimed:
                    if index in failed:
                        held = reasons[index].get("Item") or self._store._read(
                            table, items.night_key(after.room_number, night)
                        )
                        holder = stale.judge(self._store, table, after.room_number, night, held, left_behind)
                        if holder is not None and holder.reservation_id != reservation_id:
                            raise ConflictError(after.room_number, night, holder) from None
                if failed & set(plan.released):
                    # The stay is as read, yet a night it releases is not its own: damage.
                    not_held |= stale.nights_not_held(
                        self._store, table, before, sorted(plan.released.values())
                    )
                # Otherwise another write changed a night or the rooms meanwhile: read again.
        raise busy()

    def _change_writes(
        self,
        table: str,
        before: Reservation,
        after: Reservation,
        *,
        fresh: bool,
        damaged: tuple[stale.StaleNights, set[date]],
    ) -> ChangePlan:
        """The transaction, and where in it each claimed and released night and the guard are."""
        left_behind, not_held = damaged
        attributes = items.reservation_attributes(after)
        plan = ChangePlan(
            [
                items.put(
                    table, {**items.id_key(after.reservation_id), **attributes}, *items.stay_as_read(before)
                )
            ]
        )
        if moves(before, after):
            old = {(before.room_number, night) for night in before.stay_nights()}
            new = {(after.room_number, night) for night in after.stay_nights()}
            for _room, night in sorted(new - old):
                plan.claimed.append((len(plan.writes), night))
                plan.writes.append(left_behind.claim(table, after, night))
            for room, night in sorted(old - new):
                if night in not_held:
                    continue
                plan.released[len(plan.writes)] = night
                plan.writes.append(
                    items.delete(
                        table,
                        items.night_key(room, night),
                        "reservation_id = :id",
                        {":id": items.n(before.reservation_id)},
                    )
                )
            plan.guard_at = len(plan.writes)
            plan.writes.append(self.guard(table, after.room_number, fresh=fresh))
        # The list item is the by-id item's copy: while that is as read, so is the old key.
        if items.list_key(before) != items.list_key(after):
            plan.writes.append(items.delete(table, items.list_key(before)))
        plan.writes.append({"Put": {"TableName": table, "Item": {**items.list_key(after), **attributes}}})
        plan.writes += left_behind.checks(table, after.reservation_id)
        return plan

    # ----------------------------------------------------------------------- rooms

    def put_room(self, table: str, room: Room, calendar: CalendarUpdate | None = None) -> bool:
        """One write whatever it changes: the room (and its count, when new) with its calendar."""
        extra = [channels.calendar_write(table, room.room_number, calendar)] if calendar is not None else []
        for attempt in range(TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            if self._store._read(table, items.room_key(room.room_number)) is None:
                try:
                    self._transact(
                        table,
                        [
                            items.put(table, items.room_item(room), "attribute_not_exists(pk)"),
                            items.update(
                                table,
                                items.ROOMS_KEY,
                                "ADD room_count :one",
                                "attribute_not_exists(room_count) OR room_count < :max",
                                {":one": items.n(1), ":max": items.n(MAX_ROOMS)},
                            ),
                            *extra,
                        ],
                    )
                    self._has_rooms[table] = True
                    return True
                except ClientError as exc:
                    codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
                    if len(codes) > 1 and codes[0] != _CCF and codes[1] == _CCF:
                        raise too_many_rooms() from None
                    continue  # defined (or counted) meanwhile: read again
            if self._rename_room(table, room, extra):
                return False
        raise busy()

    def _rename_room(self, table: str, room: Room, extra: list[Write]) -> bool:
        """Replaces the name and notes of a room that exists (with its calendar, in one transaction
        when there is one); False when it was removed meanwhile."""
        fields = {"#name": ("name", room.name), "#notes": ("notes", room.notes)}
        sets = [f"{alias} = :{attr}" for alias, (attr, value) in fields.items() if value is not None]
        removes = [alias for alias, (_, value) in fields.items() if value is None]
        expression = " ".join(
            [
                *([f"SET {', '.join(sets)}"] if sets else []),
                *([f"REMOVE {', '.join(removes)}"] if removes else []),
            ]
        )
        values = {f":{attr}": items.s(value) for attr, value in fields.values() if value is not None}
        update: dict[str, Any] = {
            "TableName": table,
            "Key": items.room_key(room.room_number),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#name": "name", "#notes": "notes"},
            **({"ExpressionAttributeValues": values} if values else {}),
        }
        try:
            if extra:
                self._transact(table, [{"Update": update}, *extra])
            else:
                with translated_errors():
                    self._store.data(table).update_item(**update)
            return True
        except ClientError as exc:
            if extra:
                cancellation_reasons(exc)  # removed meanwhile: read again
            elif exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False

    def list_rooms(self, table: str, query: RoomQuery) -> RoomPage:
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND sk > :after",
            "ExpressionAttributeValues": {
                ":pk": items.s(items.ROOM_PK),
                ":after": items.s(f"{query.after or 0:05d}"),
            },
            "ConsistentRead": True,
            "Limit": query.limit + 1,
        }
        rows: list[Room] = []
        while len(rows) <= query.limit:
            with translated_errors():
                response = self._store.data(table).query(**params)
            rows.extend(items.room_from_item(item) for item in response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return RoomPage.of(rows, query)

    def delete_room(self, table: str, room_number: int, today: date) -> Room:
        for attempt in range(TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            item = self._store._read(table, items.room_key(room_number))
            if item is None:
                raise NotFoundError(f"no room {room_number}", field="room_number")
            holder = self._holder_from(table, room_number, today)
            if holder is not None:
                raise RoomInUseError(room_number, holder)
            try:
                self._transact(
                    table,
                    [
                        items.delete(
                            table,
                            items.room_key(room_number),
                            "version = :version",
                            {":version": item["version"]},
                        ),
                        items.update(
                            table,
                            items.ROOMS_KEY,
                            "ADD room_count :minus",
                            "room_count > :zero",
                            {":minus": items.n(-1), ":zero": items.n(0)},
                        ),
                        items.delete(table, channels.calendar_key(room_number)),  # its feed token and imports
                    ],
                )
                self._has_rooms.pop(table, None)  # maybe the last one: look again next time
                channels.release_room_blocks(self._store, table, room_number)
                return items.room_from_item(item)
            except ClientError as exc:
                cancellation_reasons(exc)  # a booking into the room got in first: look again
        raise busy()

    def _holder_from(self, table: str, room_number: int, today: date) -> Reservation | None:
        """The first reservation holding the room on ``today`` or later (walks the list by room)."""
        query = ListQuery(limit=1, start=today, room_number=room_number)
        while True:
            page = self._store.list(table, query)
            if page.items:
                return page.items[0]
            if page.next_cursor is None:
                return None
            query = ListQuery.from_params(
                {
                    "limit": "1",
                    "cursor": page.next_cursor,
                    "from": today.isoformat(),
                    "room": str(room_number),
                }
            )

    # ----------------------------------------------------------------------- availability

    def free_rooms(self, table: str, availability: Availability) -> list[int]:
        rooms: list[int] = []
        query = RoomQuery(limit=MAX_ROOMS)
        while True:
            page = self.list_rooms(table, query)
            rooms += [room.room_number for room in page.items]
            if page.next_cursor is None:
                break
            query = RoomQuery(limit=MAX_ROOMS, after=rooms[-1])
        if not rooms:
            raise NoRoomsError()
        keys = [items.night_key(room, night) for room in rooms for night in availability.stay_nights()]
        taken = {items.night_of(item)[0] for item in self._batch_get(table, keys)}
        return [room for room in rooms if room not in taken]

    # ----------------------------------------------------------------------- helpers

    def _batch_get(self, table: str, keys: list[items.Item]) -> list[items.Item]:
        return batch_get(
            self._store.data(table), table, keys, projection="pk, sk, room_count, reservation_id"
        )

    def _transact(self, table: str, writes: list[Write]) -> None:
        with translated_errors():
            self._store.data(table).transact_write_items(
                TransactItems=writes, ClientRequestToken=uuid.uuid4().hex
            )
