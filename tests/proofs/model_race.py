"""Suite 4's 200-way race: one room-night, 200 adds at once, exactly one wins, repeated."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx

from tests.proofs.harness import Figures, day, list_all
from tests.support.aio import run_async


def race(
    url: str, headers: dict[str, str], *, rounds: int, racers: int, store: str, room_base: int = 7000
) -> Figures:
    """``racers`` adds of one room-night at once, ``rounds`` times: exactly one 201 each time."""
    figures = Figures("200-way race", store)
    settle: list[float] = []

    async def one(room: int) -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=racers)
        async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as http:
            body = {"room_number": room, "nights": 1, "check_in": day(60)}
            return list(
                await asyncio.gather(
                    *(
                        http.post("/reservations", json={**body, "guest_name": f"racer {i}"})
                        for i in range(racers)
                    )
                )
            )

    for round_ in range(rounds):
        room = room_base + round_
        started = time.monotonic()
        responses = run_async(one(room))
        settle.append(time.monotonic() - started)
        statuses = Counter(r.status_code for r in responses)
        figures.add("rounds")
        figures.add("adds", len(responses))
        if statuses != {201: 1, 409: racers - 1}:
            figures.fail(f"room {room}: {dict(statuses)}")
            continue
        winner = next(r.json()["reservation_id"] for r in responses if r.status_code == 201)
        named = {
            r.json()["error"]["conflicting_reservation"]["reservation_id"]
            for r in responses
            if r.status_code == 409
        }
        if named != {winner}:
            figures.fail(f"room {room}: 409s named {sorted(named)[:5]}, the winner is {winner}")
        stored = [r["reservation_id"] for r in list_all(url, headers) if r["room_number"] == room]
        if stored != [winner]:
            figures.fail(f"room {room}: stored {stored}, winner {winner}")
    figures.counts["winners_per_round"] = "1" if not figures.failures else "see failures"
    figures.counts["max_settle_s"] = round(max(settle), 2) if settle else 0
    return figures
