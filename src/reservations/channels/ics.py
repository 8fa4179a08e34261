"""iCalendar (RFC 5545) in and out, through the ``icalendar`` library: no hand-written RFC 5545.

Out: a room's taken nights as all-day events, one per stay or block, named "Not available" and
nothing else (no guest name ever leaves in a feed).  In: the events of a channel's feed as the
nights they hold, in the shapes Airbnb and Booking.com publish (all-day ``VALUE=DATE``, ``DTEND``
exclusive, floating times without ``TZID``, folded lines, CRLF).  A feed that does not parse, or an
event whose dates do not, rejects the whole feed: releasing a channel's nights because one event
was unreadable would invite a double booking.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

SUMMARY = "Not available"
PRODID = "-//Reservations//Channel calendar//EN"
MAX_EVENTS = 2000  # per feed: two years of one-night events, with room to spare


class FeedError(Exception):
    """A feed we cannot use; the message is the reason the sync status shows."""


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    check_in: date
    check_out: date


def _icalendar() -> ModuleType:
    """The library, imported on first use: it costs ~110 ms of a cold start here (`python -X importtime`), and only the feed and
    sync functions render or parse a calendar (the rooms functions use this module for names only)."""
    import icalendar

    return icalendar


def _runs(nights: dict[date, int]) -> list[tuple[int, date, date]]:
    """(holder, first night, day after the last) for each run of consecutive nights of one holder."""
    runs: list[tuple[int, date, date]] = []
    for night in sorted(nights):
        holder = nights[night]
        if runs and runs[-1][0] == holder and runs[-1][2] == night:
            runs[-1] = (holder, runs[-1][1], night + timedelta(days=1))
        else:
            runs.append((holder, night, night + timedelta(days=1)))
    return runs


def render_feed(customer: str, room_number: int, nights: dict[date, int], stamp: datetime) -> bytes:
    """The room's export feed; ``stamp`` is every event's DTSTAMP, so equal nights give equal bytes.

    Byte for byte what ``icalendar`` renders for the whole calendar (tests/channels/test_ics.py
    compares the two), built from lines it rendered, each once per process: the calendar's own, once
    per room (``_envelope``); an event's, once per stay (``_event``) and per date (``_dated``); the
    day's ``DTSTAMP``, once per day.  ``icalendar`` costs ~10-20 µs a line here and ~110 µs an
    event built as an ``Event`` and rendered whole (its type inference, parameters and folding, per
    property), so a new day, whose ``DTSTAMP`` is new, renders one line and not every event, and a
    room new to the process only its stays' ``UID`` lines (bench/channel_feed.py)."""
    head, tail = _envelope(room_number)
    stamp_line = _line("DTSTAMP", stamp.astimezone(UTC))
    seen: dict[int, int] = {}
    events: list[bytes] = []
    for holder, check_in, check_out in _runs(nights):
        kind = "stay" if holder > 0 else "block"
        part = seen[holder] = seen.get(holder, 0) + 1
        suffix = f"-{part}" if part > 1 else ""
        uid = f"{kind}-{abs(holder)}{suffix}.room-{room_number}.{customer}@reservations"
        before, after = _event(uid, check_in, check_out)
        events.append(before + stamp_line + after)
    return head + b"".join(events) + tail


def event(uid: str, stamp: datetime, check_in: date, check_out: date) -> Any:
    """One stay's event as ``icalendar`` builds it (``icalendar.Event``): the feed's lines are its."""
    found = _icalendar().Event()
    found.add("uid", uid)
    found.add("dtstamp", stamp)
    found.add("dtstart", check_in)
    found.add("dtend", check_out)
    found.add("summary", SUMMARY)
    return found


@functools.lru_cache(maxsize=1)
def _layout() -> tuple[tuple[str, ...], dict[str, bytes]]:
    """The order ``icalendar`` puts an event's lines in, and the lines every event shares (``BEGIN``,
    ``SUMMARY``, ``END``), both taken from an event it built: rendering one line at a time must
    not change what it renders."""
    sample = event("", datetime(2000, 1, 1, tzinfo=UTC), date(2000, 1, 1), date(2000, 1, 2))
    items = sample.property_items()
    shared = {
        name: bytes(sample.content_line(name, value).to_ical()) + b"\r\n"
        for name, value in items
        if name in ("BEGIN", "SUMMARY", "END")
    }
    return tuple(name for name, _ in items), shared


def _line(name: str, value: object) -> bytes:
    """One content line, ``icalendar``'s: the property class it gives the name, its escaping and
    folding (``Component.content_line``), as ``Event.add`` and ``Event.to_ical`` would."""
    icalendar = _icalendar()
    prop = icalendar.Event.types_factory.for_property(name)(value)
    return bytes(_probe().content_line(name, prop).to_ical()) + b"\r\n"


@functools.lru_cache(maxsize=1)
def _probe() -> Any:
    return _icalendar().Event()


# Two lines a date of the feeds' window (~800 days) for every room of every customer.
@functools.lru_cache(maxsize=4096)
def _dated(name: str, day: date) -> bytes:
    return _line(name, day)


# ~200 bytes an event: 20,000 are ~55 rooms with a year of one-night stays each, a few MB.
@functools.lru_cache(maxsize=20_000)
def _event(uid: str, check_in: date, check_out: date) -> tuple[bytes, bytes]:
    """The event's lines before its ``DTSTAMP`` and after it: kept across days, whose stamps differ."""
    names, shared = _layout()
    own = {
        "UID": _line("UID", uid),
        "DTSTART": _dated("DTSTART", check_in),
        "DTEND": _dated("DTEND", check_out),
    }
    at = names.index("DTSTAMP")
    # A property icalendar added that we do not know is a KeyError here: a test fails, no feed changes.
    before, after = (
        b"".join(shared.get(name) or own[name] for name in part) for part in (names[:at], names[at + 1 :])
    )
    return before, after


def calendar(room_number: int) -> Any:
    """The feed's calendar without events (``icalendar.Calendar``)."""
    icalendar = _icalendar()
    found = icalendar.Calendar()
    found.add("prodid", PRODID)
    found.add("version", "2.0")
    found.add("calscale", "GREGORIAN")
    found.add("x-wr-calname", f"Room {room_number}")
    return found


@functools.lru_cache(maxsize=1024)
def _envelope(room_number: int) -> tuple[bytes, bytes]:
    """The calendar's lines before its events, and its last line: where ``icalendar`` puts events."""
    rendered = bytes(calendar(room_number).to_ical())
    end = b"END:VCALENDAR\r\n"
    if not rendered.endswith(end):  # pragma: no cover - a library that changed its line endings
        raise RuntimeError("icalendar rendered an unexpected calendar ending")
    return rendered[: -len(end)], end


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _day(value: object, name: str, uid: str) -> date:
    if isinstance(value, datetime):
        return value.date()  # a floating or zoned time: its calendar day, as channels mean it
    if isinstance(value, date):
        return value
    raise FeedError(f"event {uid!r} has no valid {name}")


def parse_feed(raw: bytes) -> list[FeedEvent]:
    """The feed's events; ``FeedError`` with a reason for a feed that is not one we can trust."""
    try:
        calendar = _icalendar().Calendar.from_ical(raw)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise FeedError(f"not an iCalendar file: {exc}") from None
    events: list[FeedEvent] = []
    for component in calendar.walk("VEVENT"):
        if len(events) >= MAX_EVENTS:
            raise FeedError(f"more than {MAX_EVENTS} events")
        uid = str(component.get("uid") or "")
        if not uid:
            raise FeedError("an event has no UID")
        try:
            start_prop = component.get("dtstart")
            end_prop = component.get("dtend")
            start = _day(start_prop.dt if start_prop is not None else None, "DTSTART", uid)
            if end_prop is not None:
                end = _day(end_prop.dt, "DTEND", uid)
            elif component.get("duration") is not None:
                end = start + timedelta(days=max(1, component.get("duration").dt.days))
            else:
                end = start + timedelta(days=1)  # RFC 5545: an all-day event without DTEND is one day
        except (ValueError, TypeError, AttributeError) as exc:
            raise FeedError(f"event {uid!r} has invalid dates: {exc}") from None
        if end <= start:
            raise FeedError(f"event {uid!r} ends on or before it starts")
        events.append(FeedEvent(uid, start, end))
    return events
