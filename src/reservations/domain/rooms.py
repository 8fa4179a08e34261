"""A customer's rooms and which of them are free: pure Python, no I/O (like the rest of ``domain``).

A customer that defines rooms can book only those; one that defines none keeps the original rule
(any number 1-99999), so the original clients and existing customers are unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from reservations.domain.errors import NotFoundError, RoomNotDefinedError, ValidationError
from reservations.domain.parsing import (
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    parse_date,
    parse_int_text,
    parse_text,
)

ROOM_NAME_MAX = 100
ROOM_NOTES_MAX = 500
MAX_ROOMS = 1000  # bounds what one availability question costs (rooms x nights reads)
ROOM_LIST_LIMIT_DEFAULT, ROOM_LIST_LIMIT_MAX = 100, 1000
ROOM_FIELDS = ("name", "notes")


def room_not_defined(room_number: int) -> RoomNotDefinedError:
    """The answer to a booking (or a move) into a room the customer has not defined.

    Worded for every client (CLI, menu, page), so it names no HTTP route.
    """
    return RoomNotDefinedError(room_number)


def too_many_rooms() -> ValidationError:
    return ValidationError(f"a customer can define at most {MAX_ROOMS} rooms", field="room_number")


@dataclass(frozen=True)
class Room:
    room_number: int
    name: str | None = None
    notes: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"room_number": self.room_number, "name": self.name, "notes": self.notes}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Room:
        """Reads a room as the API returns it (used by the clients)."""
        return cls(int(data["room_number"]), data.get("name"), data.get("notes"))

    @classmethod
    def from_request(cls, room_number: int, data: Any) -> Room:
        """``PUT /rooms/{room_number}``'s body: every field optional; absent means "none"."""
        if not isinstance(data, Mapping):  # JSON null included: no body at all is the way to send nothing
            raise ValidationError("the body must be a JSON object")
        unknown = sorted(set(data) - set(ROOM_FIELDS))
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", field=unknown[0])
        # A field sent must be a text (null is refused, as the schema says); leave it out for none.
        return cls(
            room_number=room_number,
            name=parse_text(data["name"], "name", ROOM_NAME_MAX) if "name" in data else None,
            notes=parse_text(data["notes"], "notes", ROOM_NOTES_MAX) if "notes" in data else None,
        )


def parse_room_number(text: str, *, missing_is_not_found: bool = False) -> int:
    """A room number from a path: 1-99999.  For a read or delete, any other text names no room."""
    try:
        return parse_int_text(text, "room_number", ROOM_MIN, ROOM_MAX)
    except ValidationError:
        if missing_is_not_found:
            raise NotFoundError(f"no room {text!r}", field="room_number") from None
        raise


@dataclass(frozen=True)
class RoomQuery:
    limit: int = ROOM_LIST_LIMIT_DEFAULT
    after: int | None = None  # the last room number of the previous page

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RoomQuery:
        unknown = sorted(set(params) - {"limit", "cursor"})
        if unknown:
            raise ValidationError(f"unknown query parameter {unknown[0]!r}", field=unknown[0])
        limit = ROOM_LIST_LIMIT_DEFAULT
        if params.get("limit") is not None:
            limit = parse_int_text(params["limit"], "limit", 1, ROOM_LIST_LIMIT_MAX)
        after = decode_room_cursor(params["cursor"]) if params.get("cursor") else None
        return cls(limit=limit, after=after)


# The last room number of the previous page: any number is a position the next page starts after.
ROOM_CURSOR_PATTERN = r"^[0-9]{1,5}$"


def encode_room_cursor(room_number: int) -> str:
    return str(room_number)


def decode_room_cursor(token: str) -> int:
    if not re.fullmatch(ROOM_CURSOR_PATTERN, token, re.ASCII):
        raise ValidationError("cursor must be a room number: next_cursor of a page", field="cursor")
    return int(token)


@dataclass(frozen=True)
class RoomPage:
    items: list[Room]
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": [room.to_json() for room in self.items], "next_cursor": self.next_cursor}

    @classmethod
    def of(cls, rows: list[Room], query: RoomQuery) -> RoomPage:
        """A page from up to ``limit + 1`` rows in number order (the extra one says "there is more")."""
        items = rows[: query.limit]
        more = len(rows) > query.limit and items
        return cls(items, encode_room_cursor(items[-1].room_number) if more else None)


@dataclass(frozen=True)
class Availability:
    """``GET /availability``: which of the customer's rooms are free for every night of a stay."""

    check_in: date
    nights: int

    @property
    def check_out(self) -> date:
        """The day after the stay, or the calendar's last day for a stay that reaches it (no booking
        can hold a night that late, so the answer is the same)."""
        return date.fromordinal(min(self.check_in.toordinal() + self.nights, date.max.toordinal()))

    def stay_nights(self) -> list[date]:
        """The stay's nights; none past the calendar's last day (no booking can hold those)."""
        last = min(self.nights, (date.max - self.check_in).days + 1)
        return [self.check_in + timedelta(days=i) for i in range(last)]

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, today: date | None = None) -> Availability:
        unknown = sorted(set(params) - {"check_in", "nights"})
        if unknown:
            raise ValidationError(f"unknown query parameter {unknown[0]!r}", field=unknown[0])
        for name in ("check_in", "nights"):
            if not params.get(name):
                raise ValidationError(f"{name} is required", field=name)
        return cls(
            check_in=parse_date(params["check_in"], "check_in"),
            nights=parse_int_text(params["nights"], "nights", NIGHTS_MIN, NIGHTS_MAX),
        )

    def answer(self, free_rooms: list[int]) -> dict[str, Any]:
        return {"check_in": self.check_in.isoformat(), "nights": self.nights, "free_rooms": free_rooms}
