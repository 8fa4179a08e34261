"""The sync: each room's imported feeds, fetched and turned into blocks.

Per feed the events a sync reads are compared with the blocks that feed holds: a block whose event
is gone (or moved) is released first, then each new (or moved) event claims its nights.  A claim
that meets a night we already hold is a conflict: the channel sold a night we sold too.  It is
never stored over the stay: it is reported (the status, the CLI, a structured log line that the
monitoring counts), and tried again at the next sync.  A feed that cannot be fetched or read keeps
its blocks (releasing nights because a channel was down would invite a double booking) and shows
its error; one bad feed never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from reservations.channels.calendar import CalendarUpdate, RoomCalendar
from reservations.channels.ics import FeedError, FeedEvent, parse_feed
from reservations.domain.blocks import BLOCK_NIGHTS_MAX, Block, NewBlock, source_host
from reservations.domain.errors import ConflictError, NotFoundError, ReservationsError
from reservations.domain.parsing import MAX_DAYS_AHEAD, MAX_DAYS_BEHIND, NIGHTS_MAX, format_timestamp, now_utc
from reservations.stores.protocols import Registry, Store

LOGGER_NAME = "reservations.channels"
MESSAGE = "channel sync"  # the metric filter counts this message's conflicts
logger = logging.getLogger(LOGGER_NAME)

Fetcher = Callable[[str], bytes]


@dataclass
class FeedOutcome:
    url: str
    synced_at: str
    events: int = 0
    blocked: int = 0  # blocks claimed by this sync
    released: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def status(self) -> dict[str, Any]:
        return {
            "synced_at": self.synced_at,
            "events": self.events,
            "conflicts": self.conflicts,
            "error": self.error,
        }


@dataclass
class RoomOutcome:
    customer: str
    room_number: int
    feeds: list[FeedOutcome]


def segments(event: FeedEvent, source: str, room_number: int, today: date) -> list[NewBlock]:
    """The event's nights within reach (yesterday to two years ahead), at most 30 to a block."""
    first = max(event.check_in, today - timedelta(days=MAX_DAYS_BEHIND))
    end = min(event.check_out, today + timedelta(days=MAX_DAYS_AHEAD + NIGHTS_MAX))
    found: list[NewBlock] = []
    while first < end:
        last = min(end, first + timedelta(days=BLOCK_NIGHTS_MAX))
        found.append(NewBlock(room_number, first, last, source, event.uid))
        first = last
    return found


class ChannelSync:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        fetcher: Fetcher,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._store = store
        self._registry = registry
        self._fetch = fetcher
        self._clock = clock

    def run(self, customer: str | None = None) -> list[RoomOutcome]:
        """Every active customer's rooms (or one customer's); a customer whose table fails is
        logged and skipped, so one cannot stop the rest."""
        if customer is not None:
            record = self._registry.get_customer(customer)
            if record is None:
                raise NotFoundError(f"no customer {customer!r}", field="customer")
            records = [record]
        else:
            records = [r for r in self._registry.list_customers() if r.status == "active"]
        outcomes: list[RoomOutcome] = []
        for record in records:
            try:
                outcomes += self.sync_customer(record.name, record.table)
            except ReservationsError as exc:
                logger.error(MESSAGE, extra={"customer": record.name, "error": exc.message})
        return outcomes

    def sync_customer(self, customer: str, table: str) -> list[RoomOutcome]:
        held = self._store.blocks(table)
        outcomes = []
        calendars = self._store.calendars(table)
        for calendar in calendars:
            mine = [b for b in held if b.room_number == calendar.room_number]
            if calendar.imports or mine:
                outcomes.append(self.sync_room(customer, table, calendar, mine))
        # A room removed takes its calendar along; blocks a crash left behind it go now.
        with_calendar = {calendar.room_number for calendar in calendars}
        for orphan in [b for b in held if b.room_number not in with_calendar]:
            self._store.delete_block(table, orphan)
        return outcomes

    def sync_room(self, customer: str, table: str, calendar: RoomCalendar, held: list[Block]) -> RoomOutcome:
        for gone in [b for b in held if b.source not in calendar.imports]:
            self._store.delete_block(table, gone)  # a feed no longer imported lets go of its nights
        feeds = [
            self._sync_feed(table, calendar.room_number, url, [b for b in held if b.source == url])
            for url in calendar.imports
        ]
        self._store.set_calendar(
            table, calendar.room_number, CalendarUpdate(status={f.url: f.status() for f in feeds})
        )
        for feed in feeds:
            logger.log(
                logging.WARNING if feed.conflicts or feed.error else logging.INFO,
                MESSAGE,
                extra={
                    "customer": customer,
                    "room_number": calendar.room_number,
                    "feed": source_host(feed.url),
                    "events": feed.events,
                    "blocked": feed.blocked,
                    "released": feed.released,
                    "conflicts": len(feed.conflicts),
                    "error": feed.error,
                },
            )
        return RoomOutcome(customer, calendar.room_number, feeds)

    def _sync_feed(self, table: str, room_number: int, url: str, held: list[Block]) -> FeedOutcome:
        outcome = FeedOutcome(url, format_timestamp(self._clock()))
        try:
            events = parse_feed(self._fetch(url))
        except FeedError as exc:
            outcome.error = str(exc)
            return outcome
        outcome.events = len(events)
        today = self._clock().date()
        wanted = {s.key(): s for e in events for s in segments(e, url, room_number, today)}
        for block in held:
            if block.key() not in wanted:
                self._store.delete_block(table, block)
                outcome.released += 1
        have = {b.key() for b in held}
        for key, segment in sorted(wanted.items(), key=lambda kv: (kv[1].check_in, kv[1].uid)):
            if key in have:
                continue
            try:
                self._store.add_block(table, segment)
                outcome.blocked += 1
            except ConflictError as exc:
                outcome.conflicts.append(
                    {
                        "uid": segment.uid,
                        "check_in": segment.check_in.isoformat(),
                        "check_out": segment.check_out.isoformat(),
                        "reason": exc.message,
                    }
                )
            except ReservationsError as exc:
                outcome.error = exc.message  # e.g. the room is no longer defined
        return outcome


def local_fetcher(local: bool) -> Fetcher:
    """The fetcher for this process: on this machine plain http and loopback feeds are allowed
    (tests, a LAN); in AWS only public https (``FetchPolicy``)."""
    from reservations.channels.fetch import FetchPolicy, fetch

    policy = FetchPolicy.for_server(local=local)
    return lambda url: fetch(url, policy)
