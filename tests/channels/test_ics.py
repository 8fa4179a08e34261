"""The feed out, read back by ``icalendar``; the shapes channels publish, read in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

from reservations.channels.ics import SUMMARY, FeedError, FeedEvent, parse_feed, render_feed
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
