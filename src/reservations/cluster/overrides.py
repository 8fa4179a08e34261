"""The two ways people pause the schedule: a skip-until tag on the cluster, and holidays.

Both apply only to the first, scheduled call of a cycle: follow-ups finish what was started, and a
person running ``reservations cluster up|down`` by hand always gets what they asked for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class BadSkipTag(ValueError):
    """The skip-until tag is set but unreadable: we refuse rather than guess."""


def local_date(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def is_holiday(now: datetime, zone: ZoneInfo, holidays: frozenset[date]) -> bool:
    """Holidays are calendar days in the schedule's own time zone, not in UTC."""
    return local_date(now, zone) in holidays


def parse_skip_until(value: str, zone: ZoneInfo) -> datetime:
    """An ISO date or timestamp; without an offset it is read in the schedule's time zone."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadSkipTag(f"tag value {value!r} is not an ISO timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def skip_until(tags: dict[str, str], key: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The moment scheduled teardowns resume, if it is still in the future."""
    raw = tags.get(key)
    if not raw:
        return None
    until = parse_skip_until(raw, zone)
    return until if until > now else None
