"""The original app's routes (``/get-res``, ``/add-res``, ``/delete-res``) on the same use cases.

Its clients send ``customer_name`` for the guest, may send numbers as strings, and expect a text
confirmation; the server still assigns the id and checks every rule.
"""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import MAX_RESERVATION_ID, today_utc
from reservations.domain.reservation import NewReservation
from reservations.functions import http

_ADD_FIELDS = {"reservation_id", "customer_name", "room_number", "nights", "check_in"}


def _number(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    # At most 16 digits: int() of a longer string is needless work (and past 4,300 digits an error).
    # Exactly decimal digits, as the OpenAPI document states (no sign, no spaces).
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        return int(value)
    return value


def _check_in(value: Any) -> Any:
    """Absent, empty or null is today (the original app had no date); anything else is checked."""
    return today_utc().isoformat() if value is None or value == "" else value


def _object(request: http.Request) -> dict[str, Any]:
    body = request.json_body()
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    return body


def get_res(request: http.Request) -> http.Response:
    items = list(wiring.service().list_all(request.customer()))
    rows = [
        {
            "ReservationId": r.reservation_id,
            "CustomerName": r.guest_name,
            "RoomNumber": r.room_number,
            "Nights": r.nights,
        }
        for r in items
    ]
    return http.json_response(
        200, {"raw_scan": {"Items": rows, "Count": len(rows)}, "pretty_table": pretty_table(rows)}
    )


def pretty_table(rows: list[dict[str, Any]]) -> str:
    headers = ["ReservationId", "CustomerName", "RoomNumber", "Nights"]
    cells = [[str(row[h]) for h in headers] for row in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return "\n".join([rule, line(headers), rule, *(line(c) for c in cells), rule])


def add_res(request: http.Request) -> http.Response:
    customer = request.customer()
    data = _object(request)
    unknown = sorted(set(data) - _ADD_FIELDS)
    if unknown:
        raise ValidationError(f"unknown field {unknown[0]!r}", field=unknown[0])
    if "customer_name" not in data:
        raise ValidationError("customer_name is required", field="customer_name")
    new = NewReservation.from_json(
        {
            "guest_name": data["customer_name"],
            "room_number": _number(data, "room_number"),
            "nights": _number(data, "nights"),
            "check_in": _check_in(data.get("check_in")),
        }
    )
    reservation = wiring.service().add(customer, new).reservation
    return http.text_response(
        200,
        f"Reservation {reservation.reservation_id} added for {reservation.guest_name}: room "
        f"{reservation.room_number}, {reservation.nights} night(s) from {reservation.check_in.isoformat()}.",
    )


def delete_res(request: http.Request) -> http.Response:
    customer = request.customer()
    data = _object(request)
    value = _number(data, "reservation_id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON Schema (and so the OpenAPI document) counts 12.0 as an integer
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError("reservation_id must be a positive whole number", field="reservation_id")
    if value > MAX_RESERVATION_ID:  # no store can hold it (SQLite's integers stop at 2**63 - 1)
        raise NotFoundError(f"no reservation {value}", field="reservation_id")
    wiring.service().delete(customer, value)
    return http.text_response(200, f"Reservation {value} deleted.")
