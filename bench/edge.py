"""What nginx costs: list reservations directly from the gateway vs through the edge, concurrency 16.

Starts ``reservations serve`` (temp SQLite data dir) with one customer and 200 reservations, and
``reservations edge run`` in front of it with a rate limit high enough never to answer 429.  After a
warm-up, the two targets take turns (``--rounds`` runs each of ``GET /reservations?limit=50``, median
reported), so a burst of load from elsewhere on the machine hits both alike.  The load comes from wrk
when installed (C, negligible client cost); otherwise from an asyncio httpx generator, which competes
with the servers for the CPU, so there the ratio is what to read, not the absolute numbers.

Twice: with the gateway on CPUs of its own (as in AWS, where nginx never shares a CPU with what it
proxies to: the goal is judged here) and with everything sharing every CPU (as on a laptop).

    python -m bench.edge [--seconds 4] [--rounds 5] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import fail_if_missed, median, table, write
from bench.servers import create_customer, free_port, start_gateway, stop, wait_until_up
from reservations.domain.parsing import today_utc
from reservations.settings import Settings

NAME = "edge"
GOAL_P99 = 1.2
CONCURRENCY = 16
SEEDED = 200
QUERY = "/reservations?limit=50"
REPORT_LUA = Path(__file__).resolve().parent / "wrk" / "report.lua"


def run_wrk(url: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    """wrk with the shared report script (exact p50/p99 in microseconds); the path is the URL's."""
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["-s", str(REPORT_LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    data: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["non_2xx"] + data["socket_errors"],
    }


async def _httpx_load(url: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - began) * 1000)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": errors,
    }


def measure(url: str, headers: dict[str, str], seconds: float, tool: str) -> dict[str, Any]:
    if tool == "wrk":
        return run_wrk(url, headers, seconds)
    return asyncio.run(_httpx_load(url, headers, seconds))


def compare(
    targets: dict[str, str], headers: dict[str, str], seconds: float, rounds: int, tool: str
) -> dict[str, dict[str, Any]]:
    """Each target's median-throughput run, with every run kept (the spread shows the noise)."""
    for url in targets.values():
        measure(url, headers, 1, tool)  # warm-up: connections, caches, SQLite pages
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, url in targets.items():
            runs[name].append(measure(url, headers, seconds, tool))
    result = {}
    for name, measured in runs.items():
        ordered = sorted(measured, key=lambda run: float(run["rps"]))
        result[name] = {**ordered[len(ordered) // 2], "runs": measured}
    return result


def seed(url: str, headers: dict[str, str]) -> None:
    first = today_utc() + timedelta(days=1)
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for i in range(SEEDED):
            body = {
                "guest_name": f"Guest {i}",
                "room_number": 100 + i % 50,
                "nights": 1,
                "check_in": (first + timedelta(days=i // 50)).isoformat(),
            }
            response = client.post("/reservations", json=body)
            if response.status_code != 201:
                raise SystemExit(f"seeding failed: {response.status_code} {response.text}")


def start_edge(upstream: str, tmp: Path, workers: str = "auto") -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = tmp / "edge-run.log"
    command = [
        sys.executable, "-m", "reservations", "edge", "run", "--upstream", upstream, "--port", str(port),
        "--rate", "9999999r/s", "--burst", "100000", "--state-dir", str(tmp / "edge"),
        "--log-dir", str(tmp / "edge"), "--web-dir", str(tmp), "--workers", workers,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", process, log)
    return url, process


ARRANGEMENTS = {
    "own CPUs": "the gateway on a CPU of its own (one worker), nginx and wrk on the other, as in AWS",
    "shared CPUs": "everything on every CPU (gateway with serve's default workers), as on a laptop",
}


def measure_arrangement(name: str, args: argparse.Namespace, tool: str) -> dict[str, Any]:
    """Direct and via nginx, paired per round, with the processes placed as ``name`` says.

    In AWS nginx runs on EKS nodes of its own and the API on API Gateway and Lambda: the edge never
    takes CPU from what it proxies to. On a small machine it does, and then its cost shows as the
    gateway's lost throughput, not as anything nginx does (nginx's own log shows its request time
    equal to the upstream's). So the goal is judged with the gateway on CPUs of its own (all but
    one) and nginx and the load generator on the last, for both targets alike; the shared
    arrangement is shown beside it.
    """
    from reservations.gateway.server import default_workers

    everything = sorted(os.sched_getaffinity(0))
    split = name == "own CPUs" and len(everything) >= 2
    upstream_cpus = set(everything[:-1]) if split else set(everything)
    client_cpus = {everything[-1]} if split else set(everything)
    tmp = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    settings = Settings(store="sqlite", data_dir=tmp / "data")
    headers = {"X-Customer": "bench", "X-Api-Key": create_customer(settings, "bench")}
    processes = []
    try:
        os.sched_setaffinity(0, upstream_cpus)  # inherited by the gateway's processes
        workers = args.workers or default_workers()
        flag = ["--workers", str(args.workers)] if args.workers else []
        gateway_url, gateway = start_gateway(settings, tmp, *flag)
        processes.append(gateway)
        os.sched_setaffinity(0, client_cpus)  # nginx and wrk
        seed(gateway_url, headers)
        edge_url, edge = start_edge(gateway_url, tmp, args.edge_workers)
        processes.append(edge)
        targets = {"direct": gateway_url + QUERY, "via nginx": f"{edge_url}/api{QUERY}"}
        measured = compare(targets, headers, args.seconds, args.rounds, tool)
    finally:
        os.sched_setaffinity(0, everything)
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(tmp, ignore_errors=True)
    direct, via_nginx = measured["direct"], measured["via nginx"]
    # Paired per round (each nginx run right after a direct one), then the median: a burst of load
    # from elsewhere on the machine lands on one round's pair, not on one side of the comparison.
    pairs = list(zip(direct["runs"], via_nginx["runs"], strict=True))
    ratio = {
        "throughput": median([n["rps"] / d["rps"] for d, n in pairs]),
        "p99": median([n["p99_ms"] / d["p99_ms"] for d, n in pairs]),
    }
    return {
        "placement": ARRANGEMENTS["own CPUs" if split else "shared CPUs"],
        "gateway_cpus": sorted(upstream_cpus),
        "client_cpus": sorted(client_cpus),
        "gateway_workers": workers,
        "direct": direct,
        "via_nginx": via_nginx,
        "ratio_nginx_over_direct": ratio,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edge-workers", default="auto", help="nginx worker processes (edge run --workers)")
    parser.add_argument(
        "--workers", type=int, default=None, help="gateway worker processes (default: serve's own)"
    )
    args = parser.parse_args(argv)
    tool = "wrk" if shutil.which("wrk") else "httpx"
    arrangements = {name: measure_arrangement(name, args, tool) for name in ARRANGEMENTS}
    results: dict[str, Any] = {
        "request": f"GET {QUERY}",
        "concurrency": CONCURRENCY,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "tool": tool,
        "arrangements": arrangements,
    }
    rows = []
    for name, measured in arrangements.items():
        ratio = measured["ratio_nginx_over_direct"]
        for target in ("direct", "via_nginx"):
            run = measured[target]
            label = f"{name}: {target.replace('_', ' ')} (gateway workers {measured['gateway_workers']})"
            rows.append([label, run["rps"], run["p50_ms"], run["p99_ms"], run["errors"]])
        rows.append(
            [f"{name}: ratio nginx/direct", f"{ratio['throughput']:.2f}x", "", f"{ratio['p99']:.2f}x", ""]
        )
    markdown = table(
        f"List via nginx vs directly (GET {QUERY}, c={CONCURRENCY}, median of {args.rounds} x "
        f"{args.seconds:g}s, {tool})",
        ["target", "req/s", "p50 ms", "p99 ms", "errors"],
        rows,
    )
    goal_ratio = arrangements["own CPUs"]["ratio_nginx_over_direct"]["p99"]
    markdown += (
        f"\n\nRatios: the median of the {args.rounds} paired rounds (nginx right after direct). "
        f"Goal: p99 through nginx ≤ {GOAL_P99}x direct with {ARRANGEMENTS['own CPUs']} (in AWS nginx "
        "never shares a CPU with what it proxies to); beside it, "
        f"{ARRANGEMENTS['shared CPUs']}, where nginx's CPU is taken from the gateway (nginx's own log "
        "shows its request time equal to the upstream's). nginx `worker_processes "
        f"{args.edge_workers}`, keep-alive to the gateway, buffers sized for a 50-row page."
    )
    results["goal"] = {"p99_ratio_max": GOAL_P99, "arrangement": "own CPUs", "met": goal_ratio <= GOAL_P99}
    write(NAME, results, markdown)
    if not results["goal"]["met"]:
        fail_if_missed([f"p99 via nginx is {goal_ratio:.2f}x direct (goal {GOAL_P99}x)"])
    return results


if __name__ == "__main__":
    main()
