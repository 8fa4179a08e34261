"""Lambda entry point ``reservations.functions.room_calendar.handler``: a room's channel calendars.

``POST /rooms/{room_number}/calendar-token`` gives the room's feed a new URL (the old one answers
404 at once); ``GET /rooms/{room_number}/sync`` shows the feeds it imports and their last sync.
"""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.rooms import parse_room_number
from reservations.functions import http


def calendar_url(request: http.Request, token: str) -> str:
    """Absolute, as a channel needs it: under the public URL the deployment configures (the edge's,
    ``RESERVATIONS_PUBLIC_API_URL``; not API Gateway's own host, which a WAF may close to all but
    the edge), else under the host and scheme the request came with (a local server)."""
    public = wiring.settings().public_api_url
    if public:
        base = public.rstrip("/").replace("{customer}", request.customer())
        return f"{base}/calendars/{token}.ics"
    scheme = request.headers.get("x-forwarded-proto", "http").split(",")[0].strip() or "http"
    host = request.headers.get("host", "localhost")
    return f"{scheme}://{host}{request.stage_prefix}/calendars/{token}.ics"


def rotate_token(request: http.Request) -> http.Response:
    customer = request.customer()
    room_number = parse_room_number(request.path_params.get("room_number", ""), missing_is_not_found=True)
    token = wiring.channels().rotate_token(customer, room_number)
    return http.json_response(200, {"room_number": room_number, "calendar_url": calendar_url(request, token)})


def sync_status(request: http.Request) -> http.Response:
    customer = request.customer()
    room_number = parse_room_number(request.path_params.get("room_number", ""), missing_is_not_found=True)
    calendar = wiring.channels().calendar(customer, room_number)
    feeds = [
        {"url": url, **dict(calendar.status.get(url) or {"synced_at": None})} for url in calendar.imports
    ]
    blocks = [block.to_json() for block in wiring.channels().blocks(customer, room_number)]
    return http.json_response(200, {"room_number": room_number, "feeds": feeds, "blocks": blocks})


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {
    ("POST", "/rooms/{room_number}/calendar-token"): rotate_token,
    ("GET", "/rooms/{room_number}/sync"): sync_status,
}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
