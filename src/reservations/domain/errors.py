"""The errors of the domain: each one the API reports, with its stable ``code`` (``functions/http.py``
maps each to a status once)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from reservations.domain.reservation import Reservation


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
