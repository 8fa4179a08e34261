"""Issue 22's scenario over HTTP, for every store: a change and a delete of one stay sent at the same
moment, 50 rounds; afterwards the list, GET, availability and a new booking agree, and nothing
answered 5xx.  Before the fix, DynamoDB's delete removed the stay by the keys it had read while the
change moved it, leaving the moved nights held by nobody: 503 "busy" on every booking of them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.proofs.harness import day
from tests.support.aio import run_async
from tests.support.server import Gateway

ROUNDS = 50
ROOM = 1


@pytest.mark.slow
def test_a_change_racing_a_delete_leaves_list_get_availability_and_bookings_in_agreement(gateway: Gateway):
    gateway.create_customer("clash")
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("clash"), timeout=60) as http:
        assert http.put(f"/rooms/{ROOM}").status_code == 201
        for round_ in range(ROUNDS):
            booked = http.post("/reservations", json=_stay("Ada", day(30), nights=2))
            assert booked.status_code == 201, booked.text
            rid = booked.json()["reservation_id"]
            changed, deleted = run_async(_together(gateway, rid))
            assert (changed.status_code, deleted.status_code) in {(200, 204), (404, 204)}, (
                round_,
                changed.text,
                deleted.text,
            )
            assert http.get(f"/reservations/{rid}").status_code == 404
            assert http.get("/reservations", params={"room": ROOM}).json()["items"] == []
            free = http.get("/availability", params={"check_in": day(30), "nights": 3})
            assert free.json()["free_rooms"] == [ROOM], (round_, free.text)
            again = http.post("/reservations", json=_stay("Bo", day(30), nights=3))
            assert again.status_code == 201, (round_, again.text)
            assert http.delete(f"/reservations/{again.json()['reservation_id']}").status_code == 204


def _stay(guest: str, check_in: str, *, nights: int) -> dict[str, Any]:
    return {"guest_name": guest, "room_number": ROOM, "nights": nights, "check_in": check_in}


async def _together(gateway: Gateway, rid: int) -> tuple[httpx.Response, httpx.Response]:
    async with httpx.AsyncClient(base_url=gateway.url, headers=gateway.headers("clash"), timeout=60) as http:
        changed, deleted = await asyncio.gather(
            http.patch(f"/reservations/{rid}", json={"check_in": day(31)}),
            http.delete(f"/reservations/{rid}"),
        )
    return changed, deleted
