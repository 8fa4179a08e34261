"""Reservations, their rules and the errors of the domain: pure Python, no I/O.

Validation lives here (not in a schema library) because each API function serves one operation
and pays for every import at cold start; plain Python gives clear per-field messages for free.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

GUEST_NAME_MAX = 100
ROOM_MIN, ROOM_MAX = 1, 99_999
NIGHTS_MIN, NIGHTS_MAX = 1, 30
MAX_DAYS_AHEAD = 730  # check-in at most two years ahead
MAX_DAYS_BEHIND = 1  # a clerk may record yesterday's arrival (time zones differ from UTC)
LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 50, 500
MAX_RESERVATION_ID = 2**53 - 1  # exact in JSON numbers everywhere, JavaScript included

NEW_RESERVATION_FIELDS = ("guest_name", "room_number", "nights", "check_in")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------- errors


class ReservationsError(Exception):
    """Base of every error the API reports; ``code`` is the stable machine-readable name."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(ReservationsError):
    code = "validation_error"


class NotFoundError(ReservationsError):
    code = "not_found"


class ConflictError(ReservationsError):
    """A room-night is taken; names the reservation that holds it."""

    code = "conflict"

    def __init__(self, room_number: int, night: date, holder: Reservation | None) -> None:
        if holder is not None:
            message = (
                f"Room {room_number} is already booked on {night.isoformat()} "
                f"by reservation {holder.reservation_id}"
            )
        else:
            message = f"Room {room_number} is already booked on {night.isoformat()}"
        super().__init__(message, field="room_number")
        self.room_number = room_number
        self.night = night
        self.holder = holder


class RoomInUseError(ConflictError):
    """A room cannot be removed while a reservation holds it from today on; names that reservation."""

    code = "room_in_use"

    def __init__(self, room_number: int, holder: Reservation) -> None:
        ReservationsError.__init__(
            self,
            f"Room {room_number} is booked from {holder.check_in.isoformat()} by reservation "
            f"{holder.reservation_id}; move or cancel that stay first",
            field="room_number",
        )
        self.room_number = room_number
        self.night = holder.check_in
        self.holder = holder


class NoRoomsError(ReservationsError):
    """Availability is asked of the customer's rooms: there is nothing to answer until some exist."""

    code = "no_rooms"

    def __init__(self) -> None:
        super().__init__("no rooms are defined yet: define the hotel's rooms first")


class IdempotencyMismatchError(ReservationsError):
    code = "idempotency_key_reused"


class RoomNotDefinedError(ReservationsError):
    """A booking (or a move) into a room the customer has not defined: the request is well formed,
    and would be taken once the room is defined, so it conflicts with the state (409) like
    ``NoRoomsError``, rather than being invalid (400)."""

    code = "room_not_defined"

    def __init__(self, room_number: int) -> None:
        super().__init__(f"room {room_number} is not one of this customer's rooms", field="room_number")


class IdempotencyKeySpentError(ReservationsError):
    """A retry whose first attempt made a reservation that has been deleted since."""

    code = "idempotency_key_spent"

    def __init__(self, reservation_id: int) -> None:
        super().__init__(
            f"this Idempotency-Key made reservation {reservation_id}, which has been deleted since; "
            "send a new key to book again",
            field="Idempotency-Key",
        )


class UnauthenticatedError(ReservationsError):
    code = "unauthenticated"


class ForbiddenError(ReservationsError):
    code = "forbidden"


class UnavailableError(ReservationsError):
    """The store cannot take the request now (throttled, disk full); nothing was changed."""

    code = "unavailable"

    def __init__(self, message: str, *, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


# --------------------------------------------------------------------------- values


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


@dataclass(frozen=True)
class NewReservation:
    guest_name: str
    room_number: int
    nights: int
    check_in: date

    @property
    def check_out(self) -> date:
        return self.check_in + timedelta(days=self.nights)

    def stay_nights(self) -> list[date]:
        return [self.check_in + timedelta(days=i) for i in range(self.nights)]

    def fingerprint(self) -> str:
        """Identifies the request for idempotency: a retry must carry the same reservation."""
        canonical = json.dumps(
            [self.guest_name, self.room_number, self.nights, self.check_in.isoformat()],
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_json(cls, data: Any, *, today: date | None = None) -> NewReservation:
        if not isinstance(data, Mapping):
            raise ValidationError("the body must be a JSON object")
        unknown = sorted(set(data) - set(NEW_RESERVATION_FIELDS))
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", field=unknown[0])
        for name in NEW_RESERVATION_FIELDS:
            if name not in data:
                raise ValidationError(f"{name} is required", field=name)
        return cls(
            guest_name=parse_guest_name(data["guest_name"]),
            room_number=parse_int(data["room_number"], "room_number", ROOM_MIN, ROOM_MAX),
            nights=parse_int(data["nights"], "nights", NIGHTS_MIN, NIGHTS_MAX),
            check_in=parse_check_in(data["check_in"], today=today),
        )


@dataclass(frozen=True)
class Reservation:
    reservation_id: int
    guest_name: str
    room_number: int
    nights: int
    check_in: date
    created_at: datetime

    @property
    def check_out(self) -> date:
        return self.check_in + timedelta(days=self.nights)

    def stay_nights(self) -> list[date]:
        return [self.check_in + timedelta(days=i) for i in range(self.nights)]

    def overlaps(self, start: date, end: date) -> bool:
        """True when a night of the stay falls in ``[start, end)``."""
        return self.check_in < end and self.check_out > start

    def holds(self, room_number: int, night: date) -> bool:
        """True when this stay has ``room_number`` on ``night``: a 409 names only such a holder (read
        after the refused write, a holder may have moved or shortened meanwhile, freeing the night)."""
        return self.room_number == room_number and self.overlaps(night, night + timedelta(days=1))

    def to_json(self) -> dict[str, Any]:
        # Once per row of every page, so the property and helper calls are inlined.
        created = self.created_at
        return {
            "reservation_id": self.reservation_id,
            "guest_name": self.guest_name,
            "room_number": self.room_number,
            "nights": self.nights,
            "check_in": self.check_in.isoformat(),
            "check_out": (self.check_in + timedelta(days=self.nights)).isoformat(),
            "created_at": created.isoformat(timespec="seconds")[:-6] + "Z"
            if created.tzinfo is UTC
            else format_timestamp(created),
        }

    @classmethod
    def from_new(cls, reservation_id: int, new: NewReservation, created_at: datetime) -> Reservation:
        return cls(reservation_id, new.guest_name, new.room_number, new.nights, new.check_in, created_at)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reservation:
        """Reads a reservation as the API returns it (used by clients and stores' snapshots)."""
        return cls(
            reservation_id=int(data["reservation_id"]),
            guest_name=str(data["guest_name"]),
            room_number=int(data["room_number"]),
            nights=int(data["nights"]),
            check_in=date.fromisoformat(data["check_in"]),
            created_at=parse_timestamp(data["created_at"]),
        )

    def sort_key(self) -> tuple[date, int, int]:
        return (self.check_in, self.room_number, self.reservation_id)


@dataclass(frozen=True)
class AddResult:
    reservation: Reservation
    replayed: bool  # True when an idempotent retry returned the original reservation


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class Cursor:
    """Position after the last item of a page, in list order (check-in, room, id).

    Keyset pagination: the next page starts strictly after this key, so a page costs work
    proportional to its size and concurrent adds or deletes never shift later pages.
    """

    check_in: date
    room_number: int
    reservation_id: int

    def encode(self) -> str:
        return f"{self.check_in.toordinal()}.{self.room_number}.{self.reservation_id}"

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Any position of the ``CURSOR_PATTERN`` shape is one: the page starts after it.

        So the OpenAPI document can state exactly which cursors are accepted (a pattern), and one a
        client makes up is as good as one the API issued: it only says where to start.  Past either
        end it is clamped, which changes no answer.
        """
        if not CURSOR_RE.fullmatch(token):
            raise ValidationError(
                "cursor must be a position of the list: next_cursor of a page", field="cursor"
            )
        day, room, rid = (int(part) for part in token.split("."))
        day = min(max(day, 1), date.max.toordinal())
        return cls(date.fromordinal(day), room, min(rid, MAX_RESERVATION_ID))

    @classmethod
    def after(cls, reservation: Reservation) -> Cursor:
        return cls(reservation.check_in, reservation.room_number, reservation.reservation_id)

    def key(self) -> tuple[date, int, int]:
        return (self.check_in, self.room_number, self.reservation_id)


# (check-in day as a proleptic Gregorian ordinal).(room number).(reservation id)
CURSOR_PATTERN = r"^[0-9]{1,7}\.[0-9]{1,5}\.[0-9]{1,16}$"
CURSOR_RE = re.compile(CURSOR_PATTERN, re.ASCII)


@dataclass(frozen=True)
class ListQuery:
    limit: int = LIST_LIMIT_DEFAULT
    cursor: Cursor | None = None
    start: date | None = None  # ``from``: reservations with a night on or after this day
    end: date | None = None  # ``to``: reservations with a night before this day
    room_number: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListQuery:
        unknown = sorted(set(params) - {"limit", "cursor", "from", "to", "room"})
        if unknown:
            raise ValidationError(f"unknown query parameter {unknown[0]!r}", field=unknown[0])
        limit = LIST_LIMIT_DEFAULT
        if params.get("limit") not in (None, ""):
            limit = parse_int_text(params["limit"], "limit", 1, LIST_LIMIT_MAX)
        cursor = Cursor.decode(params["cursor"]) if params.get("cursor") else None
        start = parse_date(params["from"], "from") if params.get("from") else None
        end = parse_date(params["to"], "to") if params.get("to") else None
        room = parse_int_text(params["room"], "room", ROOM_MIN, ROOM_MAX) if params.get("room") else None
        return cls(limit=limit, cursor=cursor, start=start, end=end, room_number=room)

    @property
    def nothing_can_match(self) -> bool:
        """``to`` on or before ``from``: no night lies in the window, so the answer is an empty page
        (a harmless read, like any other window), without asking the store."""
        return self.start is not None and self.end is not None and self.end <= self.start

    def matches(self, reservation: Reservation) -> bool:
        """The filter every store applies (stores may also narrow with indexes first)."""
        if self.room_number is not None and reservation.room_number != self.room_number:
            return False
        if self.start is not None and reservation.check_out <= self.start:
            return False
        if self.end is not None and reservation.check_in >= self.end:
            return False
        return self.cursor is None or reservation.sort_key() > self.cursor.key()

    def earliest_check_in(self) -> date | None:
        """No reservation starting before this day can overlap ``from`` (stays last ≤ 30 nights)."""
        if self.start is None:
            return None
        if self.start <= date.min + timedelta(days=NIGHTS_MAX):
            return date.min  # ``from`` in the first month of year 1: nothing earlier to exclude
        return self.start - timedelta(days=NIGHTS_MAX)


@dataclass(frozen=True)
class Page:
    items: list[Reservation]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": [r.to_json() for r in self.items], "next_cursor": self.next_cursor}


# --------------------------------------------------------------------------- parsing helpers


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
