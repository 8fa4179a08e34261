"""Benchmark 4 of the core issue: 200 concurrent adds of the same room and night through the gateway.

Exactly one must get 201 and 199 get 409; reports the time until every answer is in, per store.

    python -m bench.race [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import median, raw_request, table, write
from bench.servers import create_customer, moto, start_gateway, stop
from reservations.domain.parsing import today_utc
from reservations.settings import Settings


async def one_round(url: str, headers: dict[str, str], room: int) -> tuple[Counter[int], float]:
    day = (today_utc() + timedelta(days=100)).isoformat()
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = {**headers, "Content-Type": "application/json"}
    bodies = [
        json.dumps({"guest_name": f"r{i}", "room_number": room, "nights": 1, "check_in": day}).encode()
        for i in range(200)
    ]
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(raw_request(host, port, "POST", "/reservations", headers, b) for b in bodies)
    )
    elapsed = time.perf_counter() - started
    return Counter(status for status, _ in answers), elapsed


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stores", default="sqlite,dynamodb")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    rows = []
    for kind in args.stores.split(","):
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-race-{kind}-"))
        with moto(kind) as endpoint:
            settings = Settings(store=kind, data_dir=tmp / "data", dynamodb_endpoint=endpoint)
            key = create_customer(settings, "race")
            url, gateway = start_gateway(settings, tmp)
            try:
                outcomes = [
                    asyncio.run(one_round(url, {"X-Customer": "race", "X-Api-Key": key}, 10 + n))
                    for n in range(args.rounds)
                ]
            finally:
                stop(gateway)
        settle = [elapsed for _, elapsed in outcomes]
        exact = all(counts == Counter({201: 1, 409: 199}) for counts, _ in outcomes)
        results[kind] = {"rounds": args.rounds, "exactly_one_winner_every_round": exact, "settle_s": settle}
        rows.append([kind, args.rounds, "yes" if exact else "NO", median(settle) * 1000, max(settle) * 1000])
    markdown = table(
        "200 concurrent adds of one room-night",
        ["store", "rounds", "one 201 + 199 409", "median settle ms", "max settle ms"],
        rows,
    )
    write("race", results, markdown)
    return results


if __name__ == "__main__":
    main()
