"""The DynamoDB store: one table per customer, one low-level boto3 client per process.

Every change is a single ``TransactWriteItems``: a reservation is written together with one
item per room-night (``attribute_not_exists`` is the double-booking guard) and its idempotency
record, and deleted together with them, so a failed or throttled request leaves nothing
half-written.  The item layout is in ``dynamodb_items``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.domain.errors import ConflictError, IdempotencyMismatchError
from reservations.domain.parsing import MAX_RESERVATION_ID
from reservations.domain.reservation import AddResult, Cursor, ListQuery, NewReservation, Page, Reservation
from reservations.stores import dynamodb_items as items
from reservations.stores import dynamodb_stale as stale
from reservations.stores.dynamodb_channels import ChannelsPart
from reservations.stores.dynamodb_client import (
    TableAdmin,
    backoff,
    busy,
    cancellation_reasons,
    make_client,
    translated_errors,
)
from reservations.stores.dynamodb_frontdesk import FrontDesk
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.stores.dynamodb_tenants import TenantClients
from reservations.stores.protocols import IdempotencyClaim, TableInfo

if TYPE_CHECKING:
    from reservations.channels.calendar import CalendarUpdate
    from reservations.domain.change import ReservationChange
    from reservations.domain.rooms import Availability, Room, RoomPage, RoomQuery
    from reservations.settings import Settings
    from reservations.stores.consistency import Report

__all__ = ["DynamoDBRegistry", "DynamoDBStore"]

# Our own retries of a transaction that DynamoDB cancelled for a reason that passes (another
# transaction held an item); throttling and 5xx are retried by botocore's standard mode first.
_TRANSACTION_ATTEMPTS = 4
# A page reads at most this many items beyond the page itself, however selective the filters are
# (a ``room`` filter is a FilterExpression): past it the page comes back short, with a cursor.
_EXTRA_READ_BUDGET = 2000
_FILTERED_BATCH = 1000

Writes = list[dict[str, Any]]  # named here: inside the class ``list`` is the method
Reasons = list[dict[str, Any]]
RoomNumbers = list[int]


class DynamoDBStore(ChannelsPart):
    """Reservations in DynamoDB; ``table`` is the customer's table name (``Settings.table_for``).

    With ``tenants``, every read and write of a customer's table goes through that customer's
    tenant-scoped client (``customer_of`` names the customer of a table); tables are created and
    dropped with ``client``, the process's own credentials (the admin CLI's).
    """

    def __init__(
        self,
        client: Any = None,
        *,
        owns_client: bool = False,
        tenants: TenantClients | None = None,
        customer_of: Callable[[str], str] | None = None,
        make_process_client: Callable[[], Any] | None = None,
    ) -> None:
        if tenants is not None and customer_of is None:
            raise ValueError("tenant-scoped clients need customer_of")
        if client is None and make_process_client is None:
            raise ValueError("a client or a way to make one is needed")
        self._client = client
        self._make_process_client = make_process_client
        self._owns_client = owns_client
        self._tenants = tenants
        self._customer_of = customer_of
        self._frontdesk = FrontDesk(self)

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoDBStore:
        if not settings.tenant_role_arn:
            return cls(make_client(settings), owns_client=True)
        # Tenant-scoped, a request never uses the process's own client (only table administration
        # does), so it is made on first use: an API function's cold start makes the STS client and
        # the customer's, not a third nobody calls.
        return cls(
            owns_client=True,
            tenants=TenantClients.from_settings(settings, settings.tenant_role_arn),
            customer_of=settings.customer_of,
            make_process_client=lambda: make_client(settings),
        )

    def _process_client(self) -> Any:
        if self._client is None:
            assert self._make_process_client is not None
            self._client = self._make_process_client()
        return self._client

    @property
    def _admin(self) -> TableAdmin:
        return TableAdmin(self._process_client())

    def close(self) -> None:
        if self._owns_client:
            if self._client is not None:
                self._client.close()
            if self._tenants is not None:
                self._tenants.close()

    def data(self, table: str) -> Any:
        """The client that reads and writes ``table``: its customer's, when tenant-scoped."""
        if self._tenants is None or self._customer_of is None:
            return self._process_client()
        return self._tenants.client_for(self._customer_of(table))

    # ----------------------------------------------------------------------- tables

    def create_table(self, table: str) -> None:
        with translated_errors():
            self._admin.create(table, ttl_attribute=items.TTL_ATTRIBUTE)

    def drop_table(self, table: str) -> None:
        with translated_errors():
            self._admin.drop(table)

    def table_info(self, table: str) -> TableInfo | None:
        with translated_errors():
            return self._admin.info(table)

    # ----------------------------------------------------------------------- reads

    def get(self, table: str, reservation_id: int) -> Reservation | None:
        with translated_errors():
            response = self.data(table).get_item(
                TableName=table, Key=items.id_key(reservation_id), ConsistentRead=True
            )
        item = response.get("Item")
        return items.reservation_from_item(item) if item else None

    def list(self, table: str, query: ListQuery) -> Page:
        """One Query (rarely a few) on the list partition, from the cursor onwards.

        ``from`` narrows the key range to stays that can reach it (check-in at most 30 nights
        earlier) and ``to`` ends it; ``room`` and the exact ``from`` test are filters, read past
        until the page is full, the partition ends or ``_EXTRA_READ_BUDGET`` items were read.  In
        the last case the page is short (maybe empty) and ``next_cursor`` resumes after the last
        item read, so a walk still visits every reservation exactly once.
        """
        condition, values = self._key_range(query)
        if condition is None:
            return Page([], None)
        filters = []
        if query.start is not None:
            filters.append("check_out > :from")
            values[":from"] = items.s(query.start.isoformat())
        if query.room_number is not None:
            filters.append("room_number = :room")
            values[":room"] = items.n(query.room_number)
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,  # a 201 is followed by a list that shows it
            "Limit": min(_FILTERED_BATCH, max(100, 4 * (query.limit + 1))) if filters else query.limit + 1,
        }
        if filters:
            params["FilterExpression"] = " AND ".join(filters)
        found: list[Reservation] = []
        budget = query.limit + 1 + _EXTRA_READ_BUDGET
        while True:
            with translated_errors():
                response = self.data(table).query(**params)
            found.extend(items.reservation_from_item(item) for item in response.get("Items", []))
            budget -= int(response.get("ScannedCount", 0))
            last = response.get("LastEvaluatedKey")
            if len(found) > query.limit:
                page = found[: query.limit]
                return Page(page, Cursor.after(page[-1]).encode())
            if not last:
                return Page(found, None)
            if budget <= 0:
                return Page(found, items.cursor_of(last["sk"]["S"]).encode())
            params["ExclusiveStartKey"] = last

    @staticmethod
    def _key_range(query: ListQuery) -> tuple[str | None, dict[str, Any]]:
        values: dict[str, Any] = {":pk": items.s(items.LIST_PK)}
        lows = []
        if query.cursor is not None:
            lows.append(items.after_cursor(query.cursor))
        earliest = query.earliest_check_in()
        if earliest is not None:
            lows.append(earliest.isoformat())  # sorts before every key of that day
        low = max(lows) if lows else None
        # Keys of a check-in day all sort after the bare date, so ``to`` itself is excluded.
        high = query.end.isoformat() if query.end is not None else None
        if low is not None and high is not None:
            if low > high:
                return None, values
            values.update({":lo": items.s(low), ":hi": items.s(high)})
            return "pk = :pk AND sk BETWEEN :lo AND :hi", values
        if low is not None:
            values[":lo"] = items.s(low)
            return "pk = :pk AND sk >= :lo", values
        if high is not None:
            values[":hi"] = items.s(high)
            return "pk = :pk AND sk < :hi", values
        return "pk = :pk", values

    # ----------------------------------------------------------------------- writes

    def add(
        self,
        table: str,
        new: NewReservation,
        *,
        created_at: datetime,
        idempotency: IdempotencyClaim | None = None,
    ) -> AddResult:
        created_at = created_at.replace(microsecond=0)
        guard = self._frontdesk.guard(table, new.room_number)  # the rooms rule, before an id is spent
        reservation = Reservation.from_new(self._next_id(table), new, created_at)
        left_behind = stale.StaleNights()  # nights whose holder is gone: claimed over (damage)
        for attempt in range(_TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            writes = self._add_writes(table, reservation, idempotency, left_behind)
            try:
                with translated_errors():
                    self.data(table).transact_write_items(
                        TransactItems=[*writes, guard],
                        ClientRequestToken=uuid.uuid4().hex,  # botocore's retries cannot apply it twice
                    )
                return AddResult(reservation, replayed=False)
            except ClientError as exc:
                reasons = cancellation_reasons(exc)
                outcome = self._explain_add_cancel(table, reservation, idempotency, reasons, left_behind)
                if isinstance(outcome, AddResult):
                    return outcome
                if outcome == "new_id":
                    reservation = Reservation.from_new(self._next_id(table), new, created_at)
                # After a failed guard, read the rooms (which may raise the rule's 400).
                guard = self._frontdesk.guard(table, new.room_number, fresh=outcome == "rooms")
        raise busy()

    def _add_writes(
        self,
        table: str,
        reservation: Reservation,
        idempotency: IdempotencyClaim | None,
        left_behind: stale.StaleNights,
    ) -> Writes:
        """In this order: [idempotency record], the nights in date order, the list and by-id items,
        the conditions on the holders of nights left behind (if any).

        ``add`` appends the rooms guard (``FrontDesk.guard``) as the last item.
        """
        writes: Writes = []
        if idempotency is not None:
            record = items.idempotency_item(
                idempotency.key, idempotency.fingerprint, idempotency.expires_at, reservation
            )
            writes.append(
                items.put(
                    table,
                    record,
                    # DynamoDB's TTL deletes lazily (within days), so expired means absent here.
                    # "Now" is the request's time, as everywhere in the add.
                    "attribute_not_exists(pk) OR expires_at <= :now",
                    {":now": items.n(int(reservation.created_at.timestamp()))},
                )
            )
        for night in reservation.stay_nights():
            writes.append(left_behind.claim(table, reservation, night))
        attributes = items.reservation_attributes(reservation)
        writes.append(
            items.put(table, {**items.list_key(reservation), **attributes}, "attribute_not_exists(pk)")
        )
        writes.append(
            items.put(
                table, {**items.id_key(reservation.reservation_id), **attributes}, "attribute_not_exists(pk)"
            )
        )
        return writes + left_behind.checks(table, reservation.reservation_id)

    def _explain_add_cancel(
        self,
        table: str,
        reservation: Reservation,
        idempotency: IdempotencyClaim | None,
        reasons: Reasons,
        left_behind: stale.StaleNights,
    ) -> AddResult | str:
        """Turns a cancelled add into its answer, or says how to retry ("retry", "new_id", "rooms")."""
        codes = [reason.get("Code", "None") for reason in reasons]
        offset = 0
        if idempotency is not None:
            offset = 1
            if codes and codes[0] == "ConditionalCheckFailed":
                record = reasons[0].get("Item") or self._read(
                    table, items.idempotency_record_key(idempotency.key)
                )
                if record is None:
                    return "retry"  # expired and swept in between: the key is free again
                fingerprint, original, expires_at = items.idempotency_snapshot(record)
                if expires_at <= reservation.created_at.timestamp():
                    return "retry"
                if fingerprint != idempotency.fingerprint:
                    raise IdempotencyMismatchError(
                        "this Idempotency-Key was already used with a different request",
                        field="Idempotency-Key",
                    )
                return AddResult(original, replayed=True)
        if codes and codes[-1] == "ConditionalCheckFailed":
            return "rooms"  # the rooms guard (last): the rule first, as in SQLite; read the rooms
        nights = reservation.stay_nights()
        for index, night in enumerate(nights, start=offset):
            if index < len(codes) and codes[index] == "ConditionalCheckFailed":
                held = reasons[index].get("Item") or self._read(
                    table, items.night_key(reservation.room_number, night)
                )
                holder = stale.judge(self, table, reservation.room_number, night, held, left_behind)
                if holder is None:
                    return "retry"  # the holder was deleted or moved meanwhile, or is gone for good
                raise ConflictError(reservation.room_number, night, holder)
        ids_at = offset + len(nights)
        if "ConditionalCheckFailed" in codes[ids_at : ids_at + 2]:
            return "new_id"  # the id is taken (a restored table's counter went back): take another
        if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
            return "retry"
        raise RuntimeError(f"DynamoDB cancelled the add for reasons {codes}")

    def delete(self, table: str, reservation_id: int) -> Reservation:
        return stale.delete(self, table, reservation_id)

    # ----------------------------------------------------------------------- front desk

    def change(self, table: str, reservation_id: int, change: ReservationChange) -> Reservation:
        return self._frontdesk.change(table, reservation_id, change)

    def put_room(self, table: str, room: Room, calendar: CalendarUpdate | None = None) -> bool:
        return self._frontdesk.put_room(table, room, calendar)

    def list_rooms(self, table: str, query: RoomQuery) -> RoomPage:
        return self._frontdesk.list_rooms(table, query)

    def delete_room(self, table: str, room_number: int, today: date) -> Room:
        return self._frontdesk.delete_room(table, room_number, today)

    def free_rooms(self, table: str, availability: Availability) -> RoomNumbers:
        return self._frontdesk.free_rooms(table, availability)

    def check(self, table: str, *, repair: bool = False) -> Report:
        from reservations.stores import dynamodb_check

        return dynamodb_check.check(self.data(table), table, repair=repair)

    # ----------------------------------------------------------------------- helpers

    def _next_id(self, table: str) -> int:
        """Ids come from an atomic counter: increasing, never reused; a failed add leaves a gap."""
        with translated_errors():
            response = self.data(table).update_item(
                TableName=table,
                Key=items.COUNTER_KEY,
                UpdateExpression="ADD next_id :one",
                ExpressionAttributeValues={":one": items.n(1)},
                ReturnValues="UPDATED_NEW",
            )
        next_id = int(response["Attributes"]["next_id"]["N"])
        if next_id > MAX_RESERVATION_ID:
            raise RuntimeError("reservation ids are exhausted")
        return next_id

    def _read(self, table: str, key: items.Item) -> items.Item | None:
        with translated_errors():
            response = self.data(table).get_item(TableName=table, Key=key, ConsistentRead=True)
        item: items.Item | None = response.get("Item")
        return item
