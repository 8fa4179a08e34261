"""The values every request carries, read and checked: numbers, texts, dates, timestamps.

Validation lives here (not in a schema library) because each API function serves one operation
and pays for every import at cold start; plain Python gives clear per-field messages for free.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reservations.domain.errors import NotFoundError, ValidationError

GUEST_NAME_MAX = 100
ROOM_MIN, ROOM_MAX = 1, 99_999
NIGHTS_MIN, NIGHTS_MAX = 1, 30
MAX_DAYS_AHEAD = 730  # check-in at most two years ahead
MAX_DAYS_BEHIND = 1  # a clerk may record yesterday's arrival (time zones differ from UTC)
MAX_RESERVATION_ID = 2**53 - 1  # exact in JSON numbers everywhere, JavaScript included

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def today_utc() -> date:
    return datetime.now(UTC).date()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def format_timestamp(moment: datetime) -> str:
    """UTC, whole seconds, ``Z``: the one timestamp format of the API and the stores."""
    # isoformat is several times cheaper than strftime, which consults the locale and time zone;
    # a moment already in UTC (every one the stores hand back) skips the two conversions.
    if moment.tzinfo is UTC:
        return moment.isoformat(timespec="seconds")[:-6] + "Z"  # drops "+00:00"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    # fromisoformat is C code; strptime was most of the cost of a 50-row page.  A "Z" or "+00:00"
    # suffix already gives UTC itself, which needs no conversion.
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def parse_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON Schema (and so the OpenAPI document) counts 12.0 as an integer
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be a whole number", field=field)
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}", field=field)
    return value


def parse_int_text(text: str, field: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 16:
        raise ValidationError(f"{field} must be a whole number", field=field)
    return parse_int(int(text), field, low, high)


def parse_guest_name(value: Any) -> str:
    return parse_text(value, "guest_name", GUEST_NAME_MAX)


def parse_text(value: Any, field: str, max_length: int) -> str:
    """A one-line human text (a guest's or a room's name): trimmed, not empty, no control characters."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", field=field)
    text = value.strip()
    if not text:
        raise ValidationError(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise ValidationError(f"{field} must be at most {max_length} characters", field=field)
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\u200b\ufeff":
            raise ValidationError(f"{field} must not contain control characters", field=field)
    return text


def parse_date(value: Any, field: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValidationError(f"{field} must be a date as YYYY-MM-DD", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field} is not a calendar date", field=field) from None


def parse_check_in(value: Any, *, today: date | None = None) -> date:
    return check_bookable(parse_date(value, "check_in"), today=today)


def check_bookable(day: date, *, today: date | None = None) -> date:
    """The check-in rule: from yesterday (UTC) to two years ahead."""
    today = today or today_utc()
    if day < today - timedelta(days=MAX_DAYS_BEHIND):
        raise ValidationError("check_in must not be in the past", field="check_in")
    return check_within_reach(day, today=today)


def check_within_reach(day: date, *, today: date | None = None) -> date:
    """At most two years ahead: a question about any earlier stay (even a past one) is harmless, and
    the bound keeps every night of a stay a valid date."""
    if day > (today or today_utc()) + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError("check_in must be at most two years ahead", field="check_in")
    return day


def parse_reservation_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 16 or int(text) > MAX_RESERVATION_ID:
        raise NotFoundError("no such reservation", field="reservation_id")
    return int(text)
