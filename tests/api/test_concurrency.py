"""200 parallel adds of one room-night through the gateway: exactly one wins, for every store."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from reservations.domain.parsing import today_utc
from tests.support.aio import run_async
from tests.support.server import Gateway


@pytest.mark.slow
def test_200_parallel_adds_of_one_room_night_have_one_winner(gateway: Gateway):
    day = (today_utc() + timedelta(days=90)).isoformat()

    async def race() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(
            base_url=gateway.url, headers=gateway.headers("star"), limits=limits, timeout=60
        ) as c:
            return await asyncio.gather(
                *(
                    c.post(
                        "/reservations",
                        json={"guest_name": f"g{i}", "room_number": 4242, "nights": 1, "check_in": day},
                    )
                    for i in range(200)
                )
            )

    responses = run_async(race())
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 199}
    winner = next(r.json() for r in responses if r.status_code == 201)
    named = {
        r.json()["error"]["conflicting_reservation"]["reservation_id"]
        for r in responses
        if r.status_code == 409
    }
    assert named == {winner["reservation_id"]}
    listed = httpx.get(
        f"{gateway.url}/reservations", params={"room": 4242}, headers=gateway.headers("star")
    ).json()
    assert [r["reservation_id"] for r in listed["items"]] == [winner["reservation_id"]]
