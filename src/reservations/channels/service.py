"""Channel use cases over a ``Store``: a room's feed token, its imports, its feed, its sync status.

Like ``ReservationService``, scoped to one customer's table, which it maps from the name itself;
the feed alone is asked for by token (channels send no API key): the token names the customer and
the room, and the stored token proves it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from reservations.channels import ics
from reservations.channels.calendar import (
    CalendarUpdate,
    RoomCalendar,
    new_token,
    parse_token,
    same_token,
)
from reservations.domain.blocks import Block
from reservations.domain.errors import NotFoundError
from reservations.domain.parsing import MAX_DAYS_AHEAD, MAX_DAYS_BEHIND, NIGHTS_MAX, now_utc
from reservations.domain.rooms import Room, RoomQuery
from reservations.stores.protocols import Store

FEED_PATH = "/calendars/{token}.ics"


@dataclass(frozen=True)
class Feed:
    """``etag`` comes from the nights themselves, so a channel polling an unchanged room is answered
    304 without rendering: a render costs ``icalendar`` ~0.4 ms for a year of events already seen, and
    ~10-20 µs a line it has not rendered yet (``ics.render_feed``)."""

    etag: str
    last_modified: datetime
    render: Callable[[], bytes]


class RenderedFeeds:
    """Bodies rendered, by the ETag of the version they render: a repeat costs a lookup.  Bounded in
    bytes, oldest use out first; one per process, shared by the rooms it serves."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def get(self, etag: str, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
                return body
        body = render()
        with self._lock:
            if etag not in self._bodies and len(body) <= self._max_bytes:
                self._bodies[etag] = body
                self._bytes += len(body)
                while self._bytes > self._max_bytes:
                    self._bytes -= len(self._bodies.popitem(last=False)[1])
        return body


class ChannelService:
    def __init__(
        self,
        store: Store,
        table_for: Callable[[str], str],
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._store = store
        self._table_for = table_for
        self._clock = clock
        self._rendered = RenderedFeeds()

    def _defined(self, customer: str, room_number: int) -> None:
        page = self._store.list_rooms(self._table_for(customer), RoomQuery(limit=1, after=room_number - 1))
        if not page.items or page.items[0].room_number != room_number:
            raise NotFoundError(f"no room {room_number}", field="room_number")

    def room_calendars(self, customer: str, room_numbers: list[int]) -> dict[int, RoomCalendar]:
        """The rooms' calendars: feed token and imports (a room defined before channel calendars
        has no token until its next ``PUT`` or a rotation)."""
        if not room_numbers:
            return {}
        found = self._store.calendars(self._table_for(customer), room_numbers)
        return {c.room_number: c for c in found}

    def define_room(self, customer: str, room: Room, imports: tuple[str, ...] | None) -> bool:
        """Defines the room (or replaces its name and notes) with its calendar, in one write: its
        first feed token (one it has is kept) and, when given, the feeds it imports (a feed no longer
        imported lets go of its blocks at the next sync).  True when the room is new."""
        update = CalendarUpdate(
            token=new_token(customer, room.room_number), token_if_absent=True, imports=imports
        )
        return self._store.put_room(self._table_for(customer), room, update)

    def rotate_token(self, customer: str, room_number: int) -> str:
        self._defined(customer, room_number)
        calendar = self._store.set_calendar(
            self._table_for(customer), room_number, CalendarUpdate(token=new_token(customer, room_number))
        )
        assert calendar.token is not None
        return calendar.token

    def calendar(self, customer: str, room_number: int) -> RoomCalendar:
        self._defined(customer, room_number)
        found = self._store.calendars(self._table_for(customer), [room_number])
        return found[0] if found else RoomCalendar(room_number)

    def blocks(self, customer: str, room_number: int | None = None) -> list[Block]:
        return self._store.blocks(self._table_for(customer), room_number)

    def feed(self, token: str, table_of: Callable[[str], str | None]) -> Feed:
        """The room's export feed; 404 for any token that is not the room's current one.

        ``table_of`` maps the customer the token names to its table (``None``: no such customer,
        or one not served), read from the registry by the caller.
        """
        address = parse_token(token)
        table = table_of(address.customer)
        if table is None:
            raise NotFoundError("no such calendar")
        try:
            found = self._store.calendars(table, [address.room_number])
        except NotFoundError:
            raise NotFoundError("no such calendar") from None
        if not found or not same_token(address.token, found[0].token):
            raise NotFoundError("no such calendar")
        now = self._clock()
        today = now.date()
        start = today - timedelta(days=MAX_DAYS_BEHIND + NIGHTS_MAX)
        end = today + timedelta(days=MAX_DAYS_AHEAD + NIGHTS_MAX)
        nights = self._store.taken_nights(table, address.room_number, start, end)
        stamp = datetime(today.year, today.month, today.day, tzinfo=now.tzinfo)
        version = repr((ics.PRODID, address.customer, address.room_number, stamp, sorted(nights.items())))
        tag = ics.etag(version.encode())
        return Feed(
            tag,
            now,
            lambda: self._rendered.get(
                tag, lambda: ics.render_feed(address.customer, address.room_number, nights, stamp)
            ),
        )
