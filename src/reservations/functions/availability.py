"""Lambda entry point ``reservations.functions.availability.handler``: which rooms are free for a stay."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.rooms import Availability
from reservations.functions import http


def availability(request: http.Request) -> http.Response:
    customer = request.customer()
    asked = Availability.from_params(request.query)
    return http.json_response(200, asked.answer(wiring.service().free_rooms(customer, asked)))


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("GET", "/availability"): availability}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
