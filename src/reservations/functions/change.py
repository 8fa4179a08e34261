"""Lambda entry point ``reservations.functions.change.handler``: change a reservation in place."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.change import ReservationChange
from reservations.domain.parsing import parse_reservation_id
from reservations.functions import http


def change_reservation(request: http.Request) -> http.Response:
    customer = request.customer()
    reservation_id = parse_reservation_id(request.path_params.get("id", ""))
    change = ReservationChange.from_json(request.json_body())
    return http.json_response(200, wiring.service().change(customer, reservation_id, change).to_json())


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("PATCH", "/reservations/{id}"): change_reservation}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
