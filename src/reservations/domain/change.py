"""Changing a reservation in place (``PATCH /reservations/{id}``): which fields, and the result.

The same rules as an add, applied to the fields the request names; a field left out keeps its
value.  So a stay that began yesterday or earlier can still get a night more or a corrected guest
name: the "not in the past" rule concerns a check-in the request changes, not the one it keeps
(sent back unchanged included, so a client may send the whole reservation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from reservations.domain.errors import ValidationError
from reservations.domain.parsing import (
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    check_bookable,
    parse_date,
    parse_guest_name,
    parse_int,
)
from reservations.domain.reservation import NEW_RESERVATION_FIELDS, Reservation


@dataclass(frozen=True)
class ReservationChange:
    guest_name: str | None = None
    room_number: int | None = None
    nights: int | None = None
    check_in: date | None = None
    today: date | None = field(default=None, compare=False)  # the request's day, for the check-in rule

    @classmethod
    def from_json(cls, data: Any, *, today: date | None = None) -> ReservationChange:
        if not isinstance(data, Mapping):
            raise ValidationError("the body must be a JSON object")
        unknown = sorted(set(data) - set(NEW_RESERVATION_FIELDS))
        if unknown:
            raise ValidationError(f"unknown field {unknown[0]!r}", field=unknown[0])
        if not data:
            raise ValidationError(f"name at least one field to change: {', '.join(NEW_RESERVATION_FIELDS)}")
        return cls(
            guest_name=parse_guest_name(data["guest_name"]) if "guest_name" in data else None,
            room_number=(
                parse_int(data["room_number"], "room_number", ROOM_MIN, ROOM_MAX)
                if "room_number" in data
                else None
            ),
            nights=parse_int(data["nights"], "nights", NIGHTS_MIN, NIGHTS_MAX) if "nights" in data else None,
            # The date's form now; whether it is bookable once the current check-in is known.
            check_in=parse_date(data["check_in"], "check_in") if "check_in" in data else None,
            today=today,
        )

    def apply(self, current: Reservation) -> Reservation:
        """The reservation as it will be: same id and creation time, the named fields replaced.

        Raises the check-in rule's ``ValidationError`` for a check-in that changes.
        """
        if self.check_in is not None and self.check_in != current.check_in:
            check_bookable(self.check_in, today=self.today)
        return replace(
            current,
            guest_name=current.guest_name if self.guest_name is None else self.guest_name,
            room_number=current.room_number if self.room_number is None else self.room_number,
            nights=current.nights if self.nights is None else self.nights,
            check_in=current.check_in if self.check_in is None else self.check_in,
        )

    def to_json(self) -> dict[str, Any]:
        """The request body that makes this change (used by the clients)."""
        body: dict[str, Any] = {}
        if self.guest_name is not None:
            body["guest_name"] = self.guest_name
        if self.room_number is not None:
            body["room_number"] = self.room_number
        if self.nights is not None:
            body["nights"] = self.nights
        if self.check_in is not None:
            body["check_in"] = self.check_in.isoformat()
        return body


def moves(before: Reservation, after: Reservation) -> bool:
    """True when the change touches room-nights (and so the rooms rule and the nights guard)."""
    return (before.room_number, before.check_in, before.nights) != (
        after.room_number,
        after.check_in,
        after.nights,
    )
