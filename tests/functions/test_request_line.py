"""The per-request log line written without the ``logging`` machinery is still the logger's line.

And the timestamp fast paths (a moment already in UTC) give what the general path gives.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reservations.domain.parsing import format_timestamp, parse_timestamp
from reservations.functions.runtime import logger, request_line

FIELDS = {
    "request_id": "r-1",
    "customer": "star",
    "method": "GET",
    "resource": "/reservations",
    "status": 200,
    "duration_ms": 1.25,
}


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """What the logger's handler writes (it holds the stream it was made with, not pytest's)."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream, previous_level = handler.setStream(buffer), logger.log_level
    logger.setLevel("INFO")
    yield buffer
    logger.setLevel(previous_level)
    handler.setStream(previous_stream)


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_request_line_has_the_keys_order_and_values_of_powertools_line(output: io.StringIO):
    logger.info("request", extra=FIELDS)
    request_line("request", FIELDS)
    theirs, ours = _lines(output.getvalue())
    assert list(ours) == list(theirs)
    for key in ("level", "message", "service", *FIELDS):
        assert ours[key] == theirs[key], key
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000", str(ours["timestamp"]))
    stamp = datetime.strptime(str(ours["timestamp"]), "%Y-%m-%d %H:%M:%S,%f%z")
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=1)
    assert re.fullmatch(r"test_\w+:\d+", str(ours["location"]))  # the caller, as Powertools names it


def test_request_line_honours_the_log_level(output: io.StringIO):
    logger.setLevel("WARNING")
    request_line("request", FIELDS)
    logger.setLevel("INFO")
    request_line("request", FIELDS)
    assert len(_lines(output.getvalue())) == 1


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_timestamps_in_utc_format_and_parse_as_any_other_offset_does(moment: datetime, minutes: int):
    shifted = moment.astimezone(timezone(timedelta(minutes=minutes)))
    text = format_timestamp(moment)
    assert text == format_timestamp(shifted)
    assert text.endswith("Z")
    assert "+" not in text
    assert parse_timestamp(text) == moment
    assert parse_timestamp(text).tzinfo is UTC
    assert parse_timestamp(shifted.isoformat()) == moment
    assert parse_timestamp(shifted.isoformat()).tzinfo is UTC
