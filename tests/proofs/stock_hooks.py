"""Hooks for the stock ``schemathesis run`` CLI: keep generated valid cases inside the rules the
document can only describe in words.  Loaded with ``SCHEMATHESIS_HOOKS=tests.proofs.stock_hooks``.

Only *positive* cases are touched; negative ones reach the API as generated, so invalid data is
still sent and must still be refused.

* ``check_in`` between yesterday (UTC) and 730 days ahead, a window that moves every day: a date
  outside it is moved in (chosen from the generated value, so a run stays reproducible).
* ``to`` after ``from`` when both are given: an empty or reversed window is moved to one night.
* ``check_in`` of ``GET /availability`` likewise.
* Once the customer has defined rooms (``PUT /rooms/{n}`` answered 2xx, not removed since), it can
  book only those: a generated ``room_number`` in an add or a change is moved onto one of them
  (chosen from the generated value); with no rooms defined, any 1-99999 stays as generated.
* ``cursor`` is whatever a previous page returned: a made-up one is dropped (the stateful phase
  and the project's own suite walk real cursors).
* ``Idempotency-Key`` names one logical request: each generated request gets its own, as a client
  does, instead of the generator's repeated ``"0"`` (same key, other body is rightly 422; a replay
  of a since-deleted reservation rightly returns the original).

Two findings are dropped, and only when they are false: "created resource not found" for a
reservation that the original app's ``POST /delete-res`` deleted earlier in the run (schemathesis
counts only a DELETE on the resource's own path as a removal); and an "undocumented 405" for a
request whose path parameter a stateful link left empty (the path is then the collection's).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.openapi.checks import EnsureResourceAvailability, UndefinedStatusCode

from reservations.domain import MAX_DAYS_AHEAD, MAX_DAYS_BEHIND, today_utc


def _in_window(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value  # not a calendar date: the generator meant it, or the server must say 400
    today = today_utc()
    first, last = today - timedelta(days=MAX_DAYS_BEHIND), today + timedelta(days=MAX_DAYS_AHEAD)
    if first <= day <= last:
        return value
    return (first + timedelta(days=day.toordinal() % (last - first).days)).isoformat()


def _after(first: str, last: str) -> str:
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        return last
    return last if end > start or start == date.max else (start + timedelta(days=1)).isoformat()


_DEFINED_ROOMS: set[int] = set()


def _defined_room(value: Any) -> Any:
    """A defined room for a generated room number, keeping the number's JSON type."""
    if not _DEFINED_ROOMS or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        rooms = sorted(_DEFINED_ROOMS)
        return rooms[int(value) % len(rooms)]
    if isinstance(value, str) and value.isdigit():
        rooms = sorted(_DEFINED_ROOMS)
        return str(rooms[int(value) % len(rooms)])
    return value


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    positive = meta is None or meta.generation.mode.is_positive
    if not positive:
        return case
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("check_in"), str):
        body["check_in"] = _in_window(body["check_in"])
    if isinstance(body, dict) and "room_number" in body and case.method.upper() in ("POST", "PATCH"):
        body["room_number"] = _defined_room(body["room_number"])
    if case.query and isinstance(case.query.get("check_in"), str):
        case.query["check_in"] = _in_window(case.query["check_in"])
    if case.query and "cursor" in case.query:
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    if case.query and isinstance(case.query.get("from"), str) and isinstance(case.query.get("to"), str):
        case.query["to"] = _after(case.query["from"], case.query["to"])
    if case.headers and any(k.lower() == "idempotency-key" for k in case.headers):
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "idempotency-key"}
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    return case


_DELETED_BY_LEGACY_ROUTE: set[str] = set()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    body = case.body
    room = str((case.path_parameters or {}).get("room_number", ""))
    if case.path == "/rooms/{room_number}" and room.isdigit() and 200 <= response.status_code < 300:
        if case.method.upper() == "PUT":
            _DEFINED_ROOMS.add(int(room))
        elif case.method.upper() == "DELETE":
            _DEFINED_ROOMS.discard(int(room))
    if case.path == "/delete-res" and 200 <= response.status_code < 300 and isinstance(body, dict):
        value = body.get("reservation_id")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        _DELETED_BY_LEGACY_ROUTE.add(str(value).lstrip("0"))


def _not_this_operations_path(case: Any, response: Any) -> bool:
    """True when the request's path does not fit the operation's template (an empty or slashed
    path parameter from a stateful link): it then addressed another resource."""
    if any(str(value) == "" for value in (case.path_parameters or {}).values()):
        return True
    url = getattr(getattr(response, "request", None), "url", None)
    if not isinstance(url, str):
        return False
    template = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(case.path)) + "$"
    return re.search(template, urlsplit(url).path) is None


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if (
        isinstance(failure, UndefinedStatusCode)
        and failure.status_code == 405
        and _not_this_operations_path(case, response)
    ):
        # A stateful link that resolved to an empty path parameter sends e.g. DELETE /reservations/,
        # which is the collection's path, where DELETE is rightly 405 (with Allow): not this
        # operation's request at all. Any other undocumented 405 is still reported.
        return False
    if isinstance(failure, EnsureResourceAvailability):
        return str((case.path_parameters or {}).get("id", "")).lstrip("0") not in _DELETED_BY_LEGACY_ROUTE
    return True
