"""Lambda entry point ``reservations.functions.put_room.handler``: define a room, or rename it."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.channels.calendar import parse_imports
from reservations.domain.rooms import Room, parse_room_number
from reservations.functions import http


def put_room(request: http.Request) -> http.Response:
    customer = request.customer()
    room_number = parse_room_number(request.path_params.get("room_number", ""))
    # Every field is optional, so no body at all is a room with neither name nor notes.
    body = request.json_body() if request.raw_body().strip() else {}
    imports = None
    if isinstance(body, dict) and "import_calendars" in body:
        body = dict(body)
        allow_local = wiring.settings().local_feeds
        imports = parse_imports(body.pop("import_calendars"), allow_local=allow_local)
    room = Room.from_request(room_number, body)
    # One write: the room, its feed token (every defined room has an export feed) and its imports.
    created = wiring.channels().define_room(customer, room, imports)
    headers = {"Location": f"{request.stage_prefix}/rooms/{room_number}"} if created else {}
    return http.json_response(201 if created else 200, room.to_json(), headers)


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("PUT", "/rooms/{room_number}"): put_room}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
