"""Suite 7, load: wrk at concurrency 64 (48 listing pages of 50, 16 adding) against the gateway.

Error rate must be 0 (every answer 2xx, no socket errors); p99 and the server's resident memory at
start and end are reported (sampled each second, so a leak shows as a climb, not a single number).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.gateway import wrk
from tests.proofs.harness import Figures, rss_kib


def run(
    url: str,
    pid: int,
    headers: dict[str, str],
    *,
    seconds: float,
    store: str,
    connections: int = 64,
    seed_rows: int = 50,
) -> Figures:
    figures = Figures("load", store)
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:  # a page of 50 to list
        for n in range(seed_rows):
            http.post(
                "/reservations",
                json={
                    "guest_name": f"seed {n}",
                    "room_number": 1 + n,
                    "nights": 1,
                    "check_in": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400)),
                },
            )
        for _ in range(4 * seed_rows):  # warm up every worker thread before the first memory reading
            http.get("/reservations", params={"limit": 50})
    samples: list[int] = [rss_kib(pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            samples.append(rss_kib(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    adders = max(1, connections // 4)
    with ThreadPoolExecutor(2) as pool:
        listing = pool.submit(
            wrk, f"{url}/reservations?limit=50", "list.lua", connections - adders, seconds, headers
        )
        adding = pool.submit(wrk, f"{url}/reservations", "add.lua", adders, seconds, headers)
        results: dict[str, dict[str, Any]] = {"list": listing.result(), "add": adding.result()}
    stop.set()
    sampler.join()
    samples.append(rss_kib(pid))
    total = sum(r["requests"] for r in results.values())
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in results.values())
    figures.counts.update(
        {
            "connections": connections,
            "seconds": seconds,
            "requests": total,
            "errors": errors,
            "error_rate": round(errors / total, 6) if total else 1.0,
            "requests_per_s": round(sum(r["rps"] for r in results.values())),
            "p99_ms_list": round(results["list"]["p99_us"] / 1000, 1),
            "p99_ms_add": round(results["add"]["p99_us"] / 1000, 1),
            "p50_ms_list": round(results["list"]["p50_us"] / 1000, 1),
            "rss_mib_start": round(samples[0] / 1024, 1),
            "rss_mib_end": round(samples[-1] / 1024, 1),
            "rss_mib_max": round(max(samples) / 1024, 1),
        }
    )
    if total == 0:
        figures.fail("no request completed")
    if errors:
        figures.fail(f"{errors} of {total} requests failed: {results}")
    return figures
