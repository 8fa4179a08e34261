"""Lambda entry point ``reservations.functions.list_rooms.handler``: the customer's rooms, in number order."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.functions import http
from reservations.rooms import RoomQuery


def list_rooms(request: http.Request) -> http.Response:
    page = wiring.service().list_rooms(request.customer(), RoomQuery.from_params(request.query))
    return http.json_response(200, page.to_json())


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("GET", "/rooms"): list_rooms}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
