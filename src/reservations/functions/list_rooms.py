"""Lambda entry point ``reservations.functions.list_rooms.handler``: the customer's rooms, in number order."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.rooms import RoomQuery
from reservations.functions import http
from reservations.functions.room_calendar import calendar_url


def list_rooms(request: http.Request) -> http.Response:
    customer = request.customer()
    page = wiring.service().list_rooms(customer, RoomQuery.from_params(request.query))
    calendars = wiring.channels().room_calendars(customer, [room.room_number for room in page.items])
    body = page.to_json()
    for item in body["items"]:
        calendar = calendars.get(item["room_number"])
        token = calendar.token if calendar else None
        item["calendar_url"] = calendar_url(request, token) if token else None
        item["import_calendars"] = list(calendar.imports) if calendar else []
    return http.json_response(200, body)


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("GET", "/rooms"): list_rooms}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
