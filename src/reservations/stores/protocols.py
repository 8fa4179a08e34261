"""The storage protocols (``Store`` for reservations, ``Registry`` for customers) and the records
they pass: what every implementation imports, apart from the factories (``reservations.stores``)
that import the implementations, so no import goes round in a cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from reservations.domain.reservation import AddResult, ListQuery, NewReservation, Page, Reservation

if TYPE_CHECKING:
    from reservations.channels.calendar import CalendarUpdate, RoomCalendar
    from reservations.domain.blocks import Block, NewBlock
    from reservations.domain.change import ReservationChange
    from reservations.domain.rooms import Availability, Room, RoomPage, RoomQuery
    from reservations.stores.consistency import Report

IDEMPOTENCY_TTL_S = 24 * 3600
# Named here: inside ``Store`` the name ``list`` is the method.
Blocks = list["Block"]
Calendars = list["RoomCalendar"]
RoomNumbers = list[int]


@dataclass(frozen=True)
class IdempotencyClaim:
    """An ``Idempotency-Key`` with the request it was first used for."""

    key: str
    fingerprint: str
    expires_at: datetime


@dataclass(frozen=True)
class TableInfo:
    deletion_protection: bool  # DynamoDB refuses DeleteTable until it is switched off


def protected_message(table: str) -> str:
    return (
        f"table {table} has deletion protection: switch it off first (in Terraform: the customer's "
        "deletion_protection = false, then apply); nothing was changed"
    )


class Store(Protocol):
    """Reservations of every customer, each customer in its own table (or file)."""

    def create_table(self, table: str) -> None:
        """Creates a customer's table; a no-op if it exists."""

    def drop_table(self, table: str) -> None:
        """Deletes a customer's table and every reservation in it; ``ValidationError`` if protected."""

    def table_info(self, table: str) -> TableInfo | None:
        """What the admin needs to know of a customer's table; ``None`` if there is none."""

    def add(
        self,
        table: str,
        new: NewReservation,
        *,
        created_at: datetime,
        idempotency: IdempotencyClaim | None = None,
    ) -> AddResult:
        """Stores a reservation under a fresh id, atomically with its room-nights and idempotency record.

        Raises ``ConflictError`` (a night is taken), ``IdempotencyMismatchError`` (key reused with
        another body), ``ValidationError`` (the customer has rooms and this is not one of them),
        ``NotFoundError`` (no such table), ``UnavailableError`` (nothing was written).
        """

    def change(self, table: str, reservation_id: int, change: ReservationChange) -> Reservation:
        """Changes a reservation in place, same id, in one atomic write.

        The nights it no longer needs are released and the new ones claimed together, so no other
        booking slips in between; nights it keeps are never a conflict with itself.  Raises
        ``NotFoundError``, ``ConflictError`` (a new night is taken; nothing changed) and, for a move,
        the rooms rule's ``ValidationError``.
        """

    def put_room(self, table: str, room: Room, calendar: CalendarUpdate | None = None) -> bool:
        """Defines a room or replaces its name and notes; True when it was created.

        ``calendar`` (its feed token, its imports) is written in the same atomic write: a failure
        leaves neither."""

    def list_rooms(self, table: str, query: RoomQuery) -> RoomPage:
        """One page of the customer's rooms in number order."""

    def delete_room(self, table: str, room_number: int, today: date) -> Room:
        """Removes a room; ``RoomInUseError`` if a reservation holds it on ``today`` or later.

        Atomic with bookings: a reservation cannot land in the room while it is being removed.  Its
        calendar (feed token, imports) goes with it, and its channel blocks free their nights (in
        DynamoDB right after, one block a transaction; a sync releases any left by a crash).
        """

    def free_rooms(self, table: str, availability: Availability) -> list[int]:
        """The customer's rooms with none of the nights taken, ascending; ``NoRoomsError`` if none.

        Costs reads proportional to rooms x nights, never to the reservations in the table.
        """

    def get(self, table: str, reservation_id: int) -> Reservation | None: ...

    def delete(self, table: str, reservation_id: int) -> Reservation:
        """Removes a reservation and frees its nights; ``NotFoundError`` if absent."""

    def list(self, table: str, query: ListQuery) -> Page:
        """One page in (check_in, room_number, reservation_id) order, starting after ``query.cursor``."""

    def check(self, table: str, *, repair: bool = False) -> Report:
        """Every broken invariant of the table (``stores.consistency``); with ``repair``, fixes the
        unambiguous ones, each write conditioned on what was read, and reports what remains."""

    # ----------------------------------------------------------------------- channels

    def blocks(self, table: str, room_number: int | None = None) -> Blocks:
        """The channels' blocks (of one room, or all), in room and date order."""

    def add_block(self, table: str, new: NewBlock) -> Block:
        """Claims the block's nights atomically, as ``add`` claims a stay's: ``ConflictError`` (or
        its ``ConflictingBlockError``) if one is held, and then nothing is written."""

    def delete_block(self, table: str, block: Block) -> None:
        """Removes the block and frees the nights that still name it."""

    def taken_nights(self, table: str, room_number: int, start: date, end: date) -> dict[date, int]:
        """The room's held nights in ``[start, end)`` and their holders (below zero: ``-block_id``)."""

    def calendars(self, table: str, room_numbers: RoomNumbers | None = None) -> Calendars:
        """The rooms' calendars (all that have one, without ``room_numbers``), in room order."""

    def set_calendar(self, table: str, room_number: int, update: CalendarUpdate) -> RoomCalendar:
        """Writes the parts of a room's calendar the update gives, and returns the calendar now."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class CustomerRecord:
    name: str
    table: str
    status: str  # "active"; "provisioning" or "deleting" while onboarding runs; else refused
    created_at: datetime
    # The throttling tier (AWS: the usage plan its usage key is in); None where there are no tiers.
    tier: str | None = None


@dataclass(frozen=True)
class KeyRecord:
    key_hash: str  # sha256 hex of the API key; the key itself is never stored
    customer: str
    key_id: str  # short public id shown in listings
    created_at: datetime


class Registry(Protocol):
    """The customers and their API keys (hashed)."""

    def create_customer(self, customer: CustomerRecord, key: KeyRecord) -> None:
        """Registers a customer with its first key; ``ValidationError`` if the name is taken."""

    def get_customer(self, name: str) -> CustomerRecord | None: ...

    def list_customers(self) -> list[CustomerRecord]: ...

    def list_keys(self, name: str) -> list[KeyRecord]: ...

    def list_customers_with_keys(self) -> list[tuple[CustomerRecord, list[KeyRecord]]]:
        """Every customer with its keys, by name, in one read of the registry: ``tenants list`` at
        10,000 customers is then a few Scan pages, not 10,000 Queries."""

    def key_and_customer(
        self, key_hash: str, name: str | None = None
    ) -> tuple[str | None, CustomerRecord | None]:
        """The customer a key hash belongs to, and the customer ``name`` (if asked), read together.

        The authorizer's one question ("whose key is this, and is the customer it names active?"):
        consistent reads, so a rotated key stops working at once; in DynamoDB one BatchGetItem, so
        authorizing a request waits for one round trip, not two."""

    def replace_keys(self, name: str, key: KeyRecord) -> None:
        """Atomically revokes every key of the customer and installs ``key``."""

    def delete_customer(self, name: str) -> None: ...

    def set_status(self, name: str, status: str) -> None:
        """Sets the customer's status (onboarding's progress: only ``active`` is served);
        ``NotFoundError`` if there is no such customer."""

    def set_tier(self, name: str, tier: str) -> None:
        """Records the customer's throttling tier (issue #23, goal 3: the registry says which tier a
        customer is on; API Gateway's usage plans enforce it); ``NotFoundError`` if no such customer."""

    # Custom domains (host name -> customer), which the edge maps; a customer's go with it.

    def add_host(self, host: str, customer: str) -> bool:
        """Maps ``host`` to ``customer``; False if it already was (idempotent). ``NotFoundError``
        without such a customer, ``ValidationError`` if another customer holds the host."""

    def remove_host(self, host: str) -> str:
        """Unmaps ``host``; returns the customer it was mapped to, ``NotFoundError`` if none."""

    def list_hosts(self) -> dict[str, str]:
        """Every custom domain: host -> customer."""

    def hosts_version(self) -> int:
        """A number that changes whenever a host is added or removed: the edge's sync reads only
        this until it changes, instead of every host on every poll."""

    def close(self) -> None: ...
