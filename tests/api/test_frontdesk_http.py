"""The front desk over HTTP on ``reservations serve``, for every store; responses checked against OpenAPI.

Customer ``star`` defines rooms here; ``moon`` defines none and keeps the original rule.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from reservations.domain.parsing import today_utc
from tests.api.openapi_check import check
from tests.support.aio import run_async
from tests.support.server import Gateway
from tests.support.settings import through_cells

pytestmark = through_cells  # and through the one URL of `serve --cells 2` (slow)

START = today_utc() + timedelta(days=60)


def day(offset: int = 0) -> str:
    return (START + timedelta(days=offset)).isoformat()


def stay(room: int, offset: int = 0, nights: int = 1, guest: str = "Ada Lovelace") -> dict[str, object]:
    return {"guest_name": guest, "room_number": room, "nights": nights, "check_in": day(offset)}


@pytest.fixture(scope="module")
def star(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("star"), timeout=30) as c:
        for number in (*range(101, 111), 201, 7):
            assert c.put(f"/rooms/{number}").status_code in (200, 201)
        yield c


@pytest.fixture(scope="module")
def moon(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("moon"), timeout=30) as c:
        yield c


def test_rooms_put_get_delete(star: httpx.Client):
    created = star.put("/rooms/305", json={"name": "Sea view", "notes": "balcony"})
    check(created, "/rooms/{room_number}", "PUT")
    assert created.status_code == 201
    assert created.json() == {"room_number": 305, "name": "Sea view", "notes": "balcony"}
    assert created.headers["location"] == "/rooms/305"
    updated = star.put("/rooms/305", json={"name": "Sea view, renovated"})
    check(updated, "/rooms/{room_number}", "PUT")
    assert updated.status_code == 200
    page = star.get("/rooms", params={"limit": 5})
    check(page, "/rooms", "GET")
    assert [r["room_number"] for r in page.json()["items"]] == [7, 101, 102, 103, 104]
    rooms, cursor = [], None
    while True:
        listed = star.get("/rooms", params={"limit": 5, **({"cursor": cursor} if cursor else {})}).json()
        rooms += listed["items"]
        cursor = listed["next_cursor"]
        if cursor is None:
            break
    assert [r["room_number"] for r in rooms] == [7, *range(101, 111), 201, 305]
    assert rooms[-1] == {
        "room_number": 305,
        "name": "Sea view, renovated",
        "notes": None,
        "calendar_url": rooms[-1]["calendar_url"],  # the room's feed: tests/api/test_channels_http.py
        "import_calendars": [],
    }
    removed = star.delete("/rooms/305")
    check(removed, "/rooms/{room_number}", "DELETE")
    assert removed.status_code == 204
    again = star.delete("/rooms/305")
    check(again, "/rooms/{room_number}", "DELETE")
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "field"),
    [
        ("PUT", "/rooms/0", {}, 400, "room_number"),
        ("PUT", "/rooms/100000", {}, 400, "room_number"),
        ("PUT", "/rooms/abc", {}, 400, "room_number"),
        ("PUT", "/rooms/12", {"name": "   "}, 400, "name"),
        ("PUT", "/rooms/12", {"name": "x" * 101}, 400, "name"),
        ("PUT", "/rooms/12", {"colour": "red"}, 400, "colour"),
        ("PUT", "/rooms/12", {"name": None}, 400, "name"),
        ("PUT", "/rooms/12", [1], 400, None),
        ("DELETE", "/rooms/abc", None, 404, "room_number"),
    ],
)
def test_bad_room_requests(
    star: httpx.Client, method: str, path: str, payload: object, status: int, field: str | None
):
    response = star.request(method, path, json=payload)
    check(response, "/rooms/{room_number}", method)
    assert response.status_code == status
    assert response.json()["error"].get("field") == field


def test_a_null_body_is_refused_but_no_body_is_a_room_without_name(star: httpx.Client):
    null = star.put("/rooms/12", content=b"null", headers={"Content-Type": "application/json"})
    check(null, "/rooms/{room_number}", "PUT")
    assert null.status_code == 400
    empty = star.put("/rooms/12")
    assert (empty.status_code, empty.json()) == (201, {"room_number": 12, "name": None, "notes": None})
    assert star.delete("/rooms/12").status_code == 204


def test_a_room_held_from_today_on_cannot_be_removed(star: httpx.Client):
    holder = star.post("/reservations", json=stay(7, nights=2)).json()
    refused = star.delete("/rooms/7")
    check(refused, "/rooms/{room_number}", "DELETE")
    assert refused.status_code == 409
    assert refused.json()["error"]["conflicting_reservation"] == holder
    assert star.delete(f"/reservations/{holder['reservation_id']}").status_code == 204
    assert star.delete("/rooms/7").status_code == 204
    assert star.put("/rooms/7").status_code == 201


def test_a_customer_with_rooms_books_only_those(star: httpx.Client, moon: httpx.Client):
    refused = star.post("/reservations", json=stay(999))
    check(refused, "/reservations", "POST")
    assert refused.status_code == 409  # well formed, and taken once room 999 is defined: a conflict
    assert refused.json()["error"] == {
        "code": "room_not_defined",
        "message": "room 999 is not one of this customer's rooms",
        "field": "room_number",
    }
    assert moon.post("/reservations", json=stay(999)).status_code == 201  # no rooms: any number
    assert star.post("/reservations", json=stay(201, offset=40)).status_code == 201


def test_availability(star: httpx.Client, moon: httpx.Client):
    taken = star.post("/reservations", json=stay(102, offset=20, nights=2)).json()
    star.post("/reservations", json=stay(104, offset=21, nights=1))
    star.post("/reservations", json=stay(105, offset=22, nights=1))  # check-out day of the question: free
    answer = star.get("/availability", params={"check_in": day(20), "nights": 2})
    check(answer, "/availability", "GET")
    assert answer.status_code == 200
    assert answer.json() == {
        "check_in": day(20),
        "nights": 2,
        "free_rooms": [7, 101, 103, *range(105, 111), 201],
    }
    assert taken["room_number"] not in answer.json()["free_rooms"]
    none = moon.get("/availability", params={"check_in": day(20), "nights": 2})
    check(none, "/availability", "GET")
    assert none.status_code == 409
    assert none.json()["error"]["code"] == "no_rooms"


def test_availability_of_any_day_is_answered_a_past_stay_included(star: httpx.Client):
    """A question changes nothing, so any stay is answered: a past one, and one at the calendar's end."""
    for check_in in ((today_utc() - timedelta(days=400)).isoformat(), "9999-12-30"):
        answer = star.get("/availability", params={"check_in": check_in, "nights": 3})
        check(answer, "/availability", "GET")
        assert answer.status_code == 200, answer.text
        assert answer.json()["check_in"] == check_in
        assert 101 in answer.json()["free_rooms"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"nights": "2"}, "check_in"),
        ({"check_in": "2026-02-30", "nights": "2"}, "check_in"),
        ({"check_in": "tomorrow", "nights": "2"}, "check_in"),
        ({"check_in": day(), "nights": "0"}, "nights"),
        ({"check_in": day(), "nights": "31"}, "nights"),
        ({"check_in": day(), "nights": ""}, "nights"),
        ({"check_in": day(), "nights": "2", "room": "1"}, "room"),
    ],
)
def test_bad_availability_questions_are_400(star: httpx.Client, params: dict[str, str], field: str):
    response = star.get("/availability", params=params)
    check(response, "/availability", "GET")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_change_keeps_the_id_adds_a_night_in_place_and_moves(star: httpx.Client):
    original = star.post("/reservations", json=stay(103, offset=30, nights=2)).json()
    path = f"/reservations/{original['reservation_id']}"
    longer = star.patch(path, json={"nights": 3})
    check(longer, "/reservations/{id}", "PATCH")
    assert longer.status_code == 200
    assert longer.json() == {**original, "nights": 3, "check_out": day(33)}
    moved = star.patch(path, json={"room_number": 106, "guest_name": "Ada King"}).json()
    assert (moved["reservation_id"], moved["room_number"], moved["guest_name"]) == (
        original["reservation_id"],
        106,
        "Ada King",
    )
    assert star.get(path).json() == moved
    assert star.post("/reservations", json=stay(103, offset=30, nights=3)).status_code == 201  # released


def test_a_change_onto_a_taken_night_is_409_and_changes_nothing(star: httpx.Client):
    holder = star.post("/reservations", json=stay(107, offset=50, nights=1, guest="Bob")).json()
    mine = star.post("/reservations", json=stay(108, offset=49, nights=2)).json()
    clash = star.patch(f"/reservations/{mine['reservation_id']}", json={"room_number": 107})
    check(clash, "/reservations/{id}", "PATCH")
    assert clash.status_code == 409
    assert clash.json()["error"]["conflicting_reservation"] == holder
    assert star.get(f"/reservations/{mine['reservation_id']}").json() == mine


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, None),
        ({"nights": 0}, "nights"),
        ({"nights": 31}, "nights"),
        ({"room_number": "101"}, "room_number"),
        ({"guest_name": ""}, "guest_name"),
        ({"guest_name": None}, "guest_name"),
        ({"check_in": "2020-01-01"}, "check_in"),
        ({"reservation_id": 5}, "reservation_id"),
    ],
)
def test_invalid_changes_are_400(star: httpx.Client, payload: dict[str, object], field: str | None):
    mine = star.post("/reservations", json=stay(109, offset=70)).json()
    response = star.patch(f"/reservations/{mine['reservation_id']}", json=payload)
    check(response, "/reservations/{id}", "PATCH")
    assert response.status_code == 400
    assert response.json()["error"].get("field") == field
    assert star.get(f"/reservations/{mine['reservation_id']}").json() == mine
    star.delete(f"/reservations/{mine['reservation_id']}")


def test_a_move_into_a_room_not_defined_is_a_409_that_changes_nothing(star: httpx.Client):
    mine = star.post("/reservations", json=stay(109, offset=72)).json()
    response = star.patch(f"/reservations/{mine['reservation_id']}", json={"room_number": 999})
    check(response, "/reservations/{id}", "PATCH")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "room_not_defined")
    assert star.get(f"/reservations/{mine['reservation_id']}").json() == mine
    star.delete(f"/reservations/{mine['reservation_id']}")


def test_change_of_an_unknown_reservation_is_404(star: httpx.Client):
    for path in ("/reservations/987654321", "/reservations/abc"):
        response = star.patch(path, json={"nights": 2})
        check(response, "/reservations/{id}", "PATCH")
        assert response.status_code == 404


def test_12_concurrent_moves_into_one_room_night_have_one_winner(gateway: Gateway, star: httpx.Client):
    stays = [
        star.post("/reservations", json=stay(101 + i % 10, offset=90 + i // 10)).json() for i in range(12)
    ]
    target = {"room_number": 201, "check_in": day(120), "nights": 1}

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=gateway.url, headers=gateway.headers("star"), timeout=60) as c:
            return await asyncio.gather(
                *(c.patch(f"/reservations/{s['reservation_id']}", json=target) for s in stays)
            )

    responses = run_async(race())
    assert Counter(r.status_code for r in responses) == {200: 1, 409: 11}
    winner = next(r.json() for r in responses if r.status_code == 200)
    named = {
        r.json()["error"]["conflicting_reservation"]["reservation_id"]
        for r in responses
        if r.status_code == 409
    }
    assert named == {winner["reservation_id"]}
    listed = star.get("/reservations", params={"room": 201, "from": day(120), "to": day(121)}).json()["items"]
    assert [r["reservation_id"] for r in listed] == [winner["reservation_id"]]
    for s in stays:  # the losers are where they were
        if s["reservation_id"] != winner["reservation_id"]:
            assert star.get(f"/reservations/{s['reservation_id']}").json() == s


def test_wrong_method_on_a_room_is_405_naming_the_allowed_ones(star: httpx.Client):
    response = star.post("/rooms/101", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, PUT"
