"""Lambda entry point ``reservations.functions.add.handler``: add a reservation (idempotently)."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.reservation import NewReservation
from reservations.functions import http
from reservations.functions.legacy import add_res


def add_reservation(request: http.Request) -> http.Response:
    customer = request.customer()
    new = NewReservation.from_json(request.json_body())
    result = wiring.service().add(customer, new, request.headers.get("idempotency-key"))
    reservation = result.reservation
    headers = {"Location": f"{request.stage_prefix}/reservations/{reservation.reservation_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return http.json_response(201, reservation.to_json(), headers)


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {
    ("POST", "/reservations"): add_reservation,
    ("POST", "/add-res"): add_res,
}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
