"""Reservations and the pages they are listed in: pure Python, no I/O."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reservations.domain.errors import ValidationError
from reservations.domain.parsing import (
    MAX_RESERVATION_ID,
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    format_timestamp,
    parse_check_in,
    parse_date,
    parse_guest_name,
    parse_int,
    parse_int_text,
    parse_timestamp,
)

LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 50, 500
NEW_RESERVATION_FIELDS = ("guest_name", "room_number", "nights", "check_in")


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
