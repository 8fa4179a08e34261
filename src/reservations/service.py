"""Use cases over a ``Store``, always scoped to one customer's table.

The service knows customers only by the name the authorizer proved; it maps that name to the
customer's table itself, so no request can name a table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reservations.domain.errors import IdempotencyKeySpentError, NotFoundError, ValidationError
from reservations.domain.parsing import now_utc
from reservations.domain.reservation import AddResult, ListQuery, NewReservation, Page, Reservation
from reservations.stores.protocols import IDEMPOTENCY_TTL_S, IdempotencyClaim, Store

if TYPE_CHECKING:
    from reservations.domain.change import ReservationChange
    from reservations.domain.rooms import Availability, Room, RoomPage, RoomQuery

MAX_IDEMPOTENCY_KEY = 255
RoomNumbers = list[int]  # named here: inside the class ``list`` is the method


def _idempotency_claim(key: str, new: NewReservation, now: datetime) -> IdempotencyClaim:
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
        raise ValidationError(
            f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} printable ASCII characters",
            field="Idempotency-Key",
        )
    return IdempotencyClaim(
        key=hashlib.sha256(key.encode()).hexdigest(),
        fingerprint=new.fingerprint(),
        expires_at=now + timedelta(seconds=IDEMPOTENCY_TTL_S),
    )


class ReservationService:
    def __init__(
        self,
        store: Store,
        table_for: Callable[[str], str],
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._store = store
        self._table_for = table_for
        self._clock = clock

    def list(self, customer: str, query: ListQuery) -> Page:
        if query.nothing_can_match:
            return Page([], None)
        return self._store.list(self._table_for(customer), query)

    def list_all(self, customer: str, query: ListQuery | None = None) -> Iterator[Reservation]:
        """Every reservation, page by page (for the compatibility route and exports)."""
        query = query or ListQuery(limit=500)
        while True:
            page = self.list(customer, query)
            yield from page.items
            if page.next_cursor is None:
                return
            query = ListQuery.from_params({"limit": str(query.limit), "cursor": page.next_cursor})

    def get(self, customer: str, reservation_id: int) -> Reservation:
        reservation = self._store.get(self._table_for(customer), reservation_id)
        if reservation is None:
            raise NotFoundError(f"no reservation {reservation_id}", field="reservation_id")
        return reservation

    def add(self, customer: str, new: NewReservation, idempotency_key: str | None = None) -> AddResult:
        now = self._clock()
        claim = _idempotency_claim(idempotency_key, new, now) if idempotency_key is not None else None
        result = self._store.add(self._table_for(customer), new, created_at=now, idempotency=claim)
        made = result.reservation.reservation_id
        if result.replayed and self._store.get(self._table_for(customer), made) is None:
            # Replaying "201 created" for a reservation that is gone would tell the client it is
            # booked when it is not.
            raise IdempotencyKeySpentError(made)
        return result

    def delete(self, customer: str, reservation_id: int) -> Reservation:
        return self._store.delete(self._table_for(customer), reservation_id)

    # ----------------------------------------------------------------------- the front desk

    def change(self, customer: str, reservation_id: int, change: ReservationChange) -> Reservation:
        return self._store.change(self._table_for(customer), reservation_id, change)

    def put_room(self, customer: str, room: Room) -> bool:
        """Defines the room or replaces its name and notes; True when it is new."""
        return self._store.put_room(self._table_for(customer), room)

    def list_rooms(self, customer: str, query: RoomQuery) -> RoomPage:
        return self._store.list_rooms(self._table_for(customer), query)

    def delete_room(self, customer: str, room_number: int) -> Room:
        """Refused while a reservation holds the room today or later (the clock's day, in UTC)."""
        return self._store.delete_room(self._table_for(customer), room_number, self._clock().date())

    def free_rooms(self, customer: str, availability: Availability) -> RoomNumbers:
        return self._store.free_rooms(self._table_for(customer), availability)
