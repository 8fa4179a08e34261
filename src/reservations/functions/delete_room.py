"""Lambda entry point ``reservations.functions.delete_room.handler``: remove a room nobody holds."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.rooms import parse_room_number
from reservations.functions import http


def delete_room(request: http.Request) -> http.Response:
    customer = request.customer()
    room_number = parse_room_number(request.path_params.get("room_number", ""), missing_is_not_found=True)
    wiring.service().delete_room(customer, room_number)
    return http.empty_response(204)


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("DELETE", "/rooms/{room_number}"): delete_room}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
