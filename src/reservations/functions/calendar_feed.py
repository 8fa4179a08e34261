"""Lambda entry point ``reservations.functions.calendar_feed.handler``: a room's iCalendar feed.

The one route without an API key (channels cannot send one): the token in the path is the right to
read, checked against the room's current token, so a rotated URL answers 404 at once.
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any

from reservations import wiring
from reservations.domain.errors import NotFoundError
from reservations.functions import http

SUFFIX = ".ics"


def _table_of(customer: str) -> str | None:
    record = wiring.registry().get_customer(customer)
    return record.table if record is not None and record.status == "active" else None


def calendar_feed(request: http.Request) -> http.Response:
    name = request.path_params.get("token", "")
    if not name.endswith(SUFFIX):
        raise NotFoundError("no such calendar")
    feed = wiring.channels().feed(name[: -len(SUFFIX)], _table_of)
    headers = {
        "ETag": feed.etag,
        "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
        "Cache-Control": "private, max-age=300",
    }
    asked = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if feed.etag in asked or "*" in asked:
        return {"statusCode": 304, "headers": headers, "body": "", "isBase64Encoded": False}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "text/calendar; charset=utf-8", **headers},
        "body": feed.render().decode("utf-8"),
        "isBase64Encoded": False,
    }


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {("GET", "/calendars/{token}"): calendar_feed}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS, public=True)
