"""The OpenAPI document states exactly what the server accepts (issue 21): the rules it used to
describe only in words are now in the document, or no longer refusals."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import httpx
import pytest

from reservations.domain.parsing import today_utc
from reservations.domain.reservation import CURSOR_PATTERN
from reservations.gateway.document import window_pattern
from tests.api.openapi_check import check
from tests.support.server import Gateway

START = today_utc() + timedelta(days=40)


def stay(room: int, offset: int = 0) -> dict[str, object]:
    day = (START + timedelta(days=offset)).isoformat()
    return {"guest_name": "Ada Lovelace", "room_number": room, "nights": 1, "check_in": day}


@pytest.mark.parametrize("first", [date(2027, 12, 30), date(2028, 2, 27), date(2026, 1, 1)])
def test_the_window_pattern_matches_exactly_the_days_of_the_window(first: date):
    last = first + timedelta(days=730)
    pattern = re.compile(window_pattern(first, last))
    inside = [first + timedelta(days=n) for n in range(731)]
    assert all(pattern.fullmatch(day.isoformat()) for day in inside)
    outside = [first - timedelta(days=1), last + timedelta(days=1), first - timedelta(days=366)]
    assert not any(pattern.fullmatch(day.isoformat()) for day in outside)
    assert not pattern.fullmatch("2028-02-30")
    assert not pattern.fullmatch(f"{first.year + 1}-13-01")


def test_the_served_document_states_todays_check_in_window(gateway: Gateway):
    served = httpx.get(f"{gateway.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    document = served.json()
    schema = document["components"]["schemas"]["NewReservation"]["properties"]["check_in"]
    pattern = re.compile(schema["pattern"])
    today = today_utc()
    assert pattern.fullmatch((today - timedelta(days=1)).isoformat())
    assert pattern.fullmatch((today + timedelta(days=730)).isoformat())
    assert not pattern.fullmatch((today - timedelta(days=2)).isoformat())
    assert not pattern.fullmatch((today + timedelta(days=731)).isoformat())
    assert "x-check-in-window" not in json.dumps(document)


def test_any_cursor_of_the_documented_shape_is_a_position(gateway: Gateway):
    headers = gateway.headers("moon")
    with httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as c:
        document = c.get("/openapi.json").json()
        (stated,) = [
            p for p in document["paths"]["/reservations"]["get"]["parameters"] if p["name"] == "cursor"
        ]
        assert stated["schema"]["pattern"] == "^(?:" + CURSOR_PATTERN.strip("^$") + ")?$"  # or empty
        for made_up in ("0.0.0", "9999999.99999.9999999999999999", "739000.5.12"):
            page = c.get("/reservations", params={"cursor": made_up})
            check(page, "/reservations", "GET")
            assert page.status_code == 200, page.text
        assert c.get("/reservations", params={"cursor": "9999999.0.0"}).json()["items"] == []
        assert c.get("/rooms", params={"cursor": "0"}).status_code == 200
        for bad in ("!!", "1.2", "abc"):
            assert c.get("/reservations", params={"cursor": bad}).status_code == 400
        assert c.get("/rooms", params={"cursor": "x"}).status_code == 400


def test_a_window_that_holds_no_night_is_an_empty_page(gateway: Gateway):
    headers = gateway.headers("moon")
    with httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as c:
        c.post("/reservations", json=stay(401))
        day = START.isoformat()
        for window in (
            {"from": day, "to": day},
            {"from": day, "to": (START - timedelta(days=3)).isoformat()},
        ):
            page = c.get("/reservations", params=window)
            check(page, "/reservations", "GET")
            assert (page.status_code, page.json()) == (200, {"items": [], "next_cursor": None})


def test_a_retry_whose_reservation_was_deleted_since_is_not_told_it_is_booked(gateway: Gateway):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("moon"), timeout=10) as c:
        first = c.post("/reservations", json=stay(402, offset=2), headers=key)
        assert first.status_code == 201
        assert c.delete(f"/reservations/{first.json()['reservation_id']}").status_code == 204
        again = c.post("/reservations", json=stay(402, offset=2), headers=key)
        check(again, "/reservations", "POST")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "idempotency_key_spent"
