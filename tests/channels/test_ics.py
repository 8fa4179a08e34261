"""The feed out, read back by ``icalendar``; the shapes channels publish, read in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest

from reservations.channels.ics import SUMMARY, FeedError, FeedEvent, calendar, parse_feed, render_feed
from reservations.channels.service import RenderedFeeds
from tests.channels.feeds import airbnb_ics, booking_ics

STAMP = datetime(2030, 1, 1, tzinfo=UTC)


def test_the_export_has_one_all_day_event_per_holder_and_nothing_personal() -> None:
    nights = {date(2030, 1, d): 7 for d in (1, 2, 3)} | {date(2030, 1, 5): -2, date(2030, 1, 6): -2}
    body = render_feed("star", 101, nights, STAMP)
    events = icalendar.Calendar.from_ical(body).events
    assert [(e.start, e.end, str(e["summary"])) for e in events] == [
        (date(2030, 1, 1), date(2030, 1, 4), SUMMARY),
        (date(2030, 1, 5), date(2030, 1, 7), SUMMARY),
    ]
    assert [str(e["uid"]) for e in events] == [
        "stay-7.room-101.star@reservations",
        "block-2.room-101.star@reservations",
    ]
    assert render_feed("star", 101, nights, STAMP) == body  # same nights, same bytes (the ETag)


def whole_calendar(room: int, events: list[tuple[date, date, str]], stamp: datetime) -> bytes:
    """What icalendar renders for the whole calendar, built its documented way, one ``Event`` each."""
    whole = calendar(room)
    for check_in, check_out, uid in events:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", check_in)
        event.add("dtend", check_out)
        event.add("summary", SUMMARY)
        whole.add_component(event)
    return bytes(whole.to_ical())


def test_the_feed_is_byte_for_byte_what_icalendar_renders_for_the_whole_calendar() -> None:
    """The feed is built from the lines icalendar rendered (cached): it must equal its whole render."""
    nights = {date(2030, 1, d): d % 4 + 1 for d in range(1, 29)} | {date(2030, 2, 3): -9}
    two = {date(2030, 1, 1): 2, date(2030, 1, 2): 3}
    events = [
        (date(2030, 1, 1), date(2030, 1, 2), "stay-2.room-202.moon@reservations"),
        (date(2030, 1, 2), date(2030, 1, 3), "stay-3.room-202.moon@reservations"),
    ]
    assert render_feed("moon", 202, two, STAMP) == whole_calendar(202, events, STAMP)
    # A longer feed, rendered twice (the second from the cache), reads back as the same calendar.
    first, again = render_feed("moon", 202, nights, STAMP), render_feed("moon", 202, nights, STAMP)
    assert first == again
    assert len(icalendar.Calendar.from_ical(first).events) == 29


def test_a_new_day_renders_the_events_kept_from_yesterday_with_its_own_stamp() -> None:
    """Events are kept across days without their DTSTAMP: the next day's feed is still icalendar's
    whole render for that day, and another room on the same dates gets its own UIDs."""
    two = {date(2030, 1, 1): 2, date(2030, 1, 2): 3}
    tomorrow = datetime(
        2030, 1, 2, 6, 30, tzinfo=timezone(timedelta(hours=2))
    )  # a zoned stamp: UTC in the feed
    render_feed("moon", 202, two, STAMP)
    for customer, room in (("moon", 202), ("star", 303)):
        events = [
            (date(2030, 1, 1), date(2030, 1, 2), f"stay-2.room-{room}.{customer}@reservations"),
            (date(2030, 1, 2), date(2030, 1, 3), f"stay-3.room-{room}.{customer}@reservations"),
        ]
        body = render_feed(customer, room, two, tomorrow)
        assert body == whole_calendar(room, events, tomorrow)
        assert b"DTSTAMP:20300102T043000Z" in body


@pytest.mark.parametrize("shape", [airbnb_ics, booking_ics])
def test_the_channels_shapes_read_as_their_nights(shape: object) -> None:
    raw = shape([("e1@channel", date(2030, 2, 1), date(2030, 2, 4))])  # type: ignore[operator]
    assert parse_feed(raw) == [FeedEvent("e1@channel", date(2030, 2, 1), date(2030, 2, 4))]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not a calendar at all", "not an iCalendar"),
        (
            airbnb_ics([("e1", date(2030, 2, 1), date(2030, 2, 4))]).replace(b"20300201", b"20301341"),
            "invalid",
        ),
        (airbnb_ics([("e1", date(2030, 2, 4), date(2030, 2, 1))]), "ends on or before"),
        (airbnb_ics([("", date(2030, 2, 1), date(2030, 2, 4))]), "no UID"),
    ],
)
def test_a_bad_feed_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(raw)


def test_a_body_rendered_once_is_served_again_by_its_etag_and_the_cache_is_bounded() -> None:
    rendered: list[str] = []

    def render(tag: str, size: int) -> Callable[[], bytes]:
        def body() -> bytes:
            rendered.append(tag)
            return b"x" * size

        return body

    feeds = RenderedFeeds(max_bytes=100)
    assert feeds.get('"a"', render("a", 40)) == b"x" * 40
    assert feeds.get('"a"', render("a", 40)) == b"x" * 40
    assert rendered == ["a"]  # the repeat rendered nothing
    feeds.get('"b"', render("b", 40))
    feeds.get('"a"', render("a", 40))  # "a" used last: "b" is now the oldest
    feeds.get('"c"', render("c", 40))  # 120 bytes > 100: the oldest goes
    feeds.get('"a"', render("a", 40))
    feeds.get('"b"', render("b", 40))
    assert rendered == ["a", "b", "c", "b"]
