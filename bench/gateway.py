"""Benchmark 2 of the core issue: the local gateway's throughput and latency (wrk), next to the
service called in-process and next to Chalice's local API Gateway emulation serving the same page.

The gateway runs as ``reservations serve`` starts it by default (the worker count it picks), so the
figure is the one a user gets.  Exits 1 when the list page at c=16 is under twice Chalice's
requests/s or its p99 is worse.

    python -m bench.gateway [--seconds 6] [--rounds 3] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import fail_if_missed, median, table, write
from bench.servers import create_customer, start_chalice_peer, start_gateway, stop
from reservations.domain.parsing import today_utc
from reservations.domain.reservation import ListQuery, NewReservation
from reservations.service import ReservationService
from reservations.settings import Settings
from reservations.stores import open_store

WRK_DIR = Path(__file__).resolve().parent / "wrk"


def wrk(
    url: str,
    script: str,
    connections: int,
    seconds: float,
    headers: dict[str, str],
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    threads = 1 if connections == 1 else 2
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as combined:
        combined.write((WRK_DIR / script).read_text() + "\n" + (WRK_DIR / "report.lua").read_text())
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        combined.name,
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]

    try:
        result = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "WRK_THREADS": str(threads), **(env or {})},
        )
    finally:  # wrk reads the script by name, so it outlives the `with`; not the run
        Path(combined.name).unlink(missing_ok=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK_JSON "))
    data: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def in_process(settings: Settings, customer: str, count: int = 300) -> dict[str, float]:
    """The same operations on the service directly: the floor the HTTP layers add to."""
    store = open_store(settings)
    service = ReservationService(store, settings.table_for)
    day = today_utc() + timedelta(days=500)
    timings: dict[str, list[float]] = {"add": [], "list": [], "delete": []}
    ids = []
    for i in range(count):
        started = time.perf_counter()
        ids.append(
            service.add(customer, NewReservation("In Process", i + 1, 1, day)).reservation.reservation_id
        )
        timings["add"].append(time.perf_counter() - started)
    for _ in range(count):
        started = time.perf_counter()
        service.list(customer, ListQuery(limit=50))
        timings["list"].append(time.perf_counter() - started)
    for reservation_id in ids:
        started = time.perf_counter()
        service.delete(customer, reservation_id)
        timings["delete"].append(time.perf_counter() - started)
    store.close()
    return {op: 1 / median(values) for op, values in timings.items()}


GOAL_RATIO = 2.0  # list c=16: at least twice Chalice's requests/s, with a p99 no worse
ROUNDS = 3  # list runs, ours and Chalice's interleaved; the medians are compared


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument(
        "--workers", type=int, default=None, help="gateway worker processes (default: serve's own default)"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    from reservations.gateway.server import default_workers

    workers = args.workers or default_workers()
    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    settings = Settings(store="sqlite", data_dir=tmp / "data")
    key = create_customer(settings, "bench")
    headers = {"X-Customer": "bench", "X-Api-Key": key}
    # The default a user gets: no --workers flag unless one was asked for.
    url, gateway = start_gateway(settings, tmp, *(["--workers", str(args.workers)] if args.workers else []))
    results: dict[str, Any] = {
        "workers": workers,
        "workers_flag": args.workers,
        "rounds": args.rounds,
        "gateway": {},
        "in_process_ops_per_s": {},
        "chalice_local": {},
    }
    peer = None
    try:
        with httpx.Client(base_url=url, headers=headers) as client:
            for i in range(60):  # the page every list request reads
                client.post(
                    "/reservations",
                    json={
                        "guest_name": f"Seed {i}",
                        "room_number": 900 + i,
                        "nights": 2,
                        "check_in": (today_utc() + timedelta(days=3)).isoformat(),
                    },
                )
        peer_url, peer = start_chalice_peer(
            settings.data_dir / "tables" / f"{settings.table_for('bench')}.sqlite3", tmp
        )
        for connections in (1, 16):
            ours, theirs = [], []
            for _ in range(args.rounds):  # interleaved: a load change on the machine hits both
                ours.append(wrk(url, "list.lua", connections, args.seconds, headers))
                theirs.append(wrk(peer_url, "list.lua", connections, args.seconds, {}))
            results["gateway"][f"list c={connections}"] = _median_run(ours)
            results["chalice_local"][f"list c={connections}"] = _median_run(theirs)
        stop(peer)
        peer = None
        for connections in (1, 16):
            first_id = _max_id(url, headers) + 1
            results["gateway"][f"add c={connections}"] = wrk(
                url, "add.lua", connections, args.seconds, headers, env={"DAY_BASE": str(10 * connections)}
            )
            results["gateway"][f"delete c={connections}"] = wrk(
                url,
                "delete.lua",
                connections,
                max(1, args.seconds // 2),
                headers,
                env={"FIRST_ID": str(first_id)},
            )
    finally:
        stop(gateway)
        if peer is not None:
            stop(peer)
    results["gateway_statuses"] = _statuses(tmp)
    results["in_process_ops_per_s"] = in_process(settings, "bench")
    rows = []
    order = [f"{op} c={c}" for c in (1, 16) for op in ("list", "add", "delete")]
    for name in order:
        data = results["gateway"][name]
        op = name.split()[0]
        peer_data = results["chalice_local"].get(name)
        rows.append(
            [
                name,
                data["rps"],
                data["p50_us"] / 1000,
                data["p99_us"] / 1000,
                data["non_2xx"],
                results["in_process_ops_per_s"][op],
                data["rps"] / results["in_process_ops_per_s"][op],
                peer_data["rps"] if peer_data else "",
                peer_data["p99_us"] / 1000 if peer_data else "",
                f"{data['rps'] / peer_data['rps']:.2f}x" if peer_data else "",
            ]
        )
    ours16, theirs16 = results["gateway"]["list c=16"], results["chalice_local"]["list c=16"]
    ratio = ours16["rps"] / theirs16["rps"]
    p99_ok = ours16["p99_us"] <= theirs16["p99_us"]
    results["goal"] = {"ratio": ratio, "p99_no_worse": p99_ok, "met": ratio >= GOAL_RATIO and p99_ok}
    flag = f"--workers {args.workers}" if args.workers else f"the default: {workers} on {os.cpu_count()} CPUs"
    markdown = table(
        f"Local gateway (`reservations serve`, SQLite store, {workers} worker(s), {flag}; wrk)",
        [
            "operation",
            "req/s",
            "p50 ms",
            "p99 ms",
            "non-2xx",
            "in-process ops/s",
            "gateway/in-process",
            "chalice req/s",
            "chalice p99 ms",
            "ours/chalice",
        ],
        rows,
    )
    markdown += (
        f"\n\nList rows: the median (by req/s) of {args.rounds} runs of {args.seconds} s, ours and "
        "`chalice local` interleaved, both serving the same 50 rows of the same SQLite file (Chalice "
        "without authorizer or log line). Add and delete: one run each. In-process: the service "
        f"called directly, no HTTP. Goal: list c=16 at least {GOAL_RATIO:g}x Chalice's req/s with a p99 "
        f"no worse; this run: {ratio:.2f}x, p99 {ours16['p99_us'] / 1000:.1f} vs "
        f"{theirs16['p99_us'] / 1000:.1f} ms."
    )
    write("gateway", results, markdown)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    if not results["goal"]["met"]:
        fail_if_missed(
            [
                f"list c=16 is {ratio:.2f}x chalice local (goal {GOAL_RATIO:g}x), p99 {'no worse' if p99_ok else 'worse'}"
            ]
        )
    return results


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median req/s (its p50/p99 with it), and every run's figures beside it."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = [{"rps": r["rps"], "p99_us": r["p99_us"]} for r in runs]
    return chosen


def _statuses(tmp: Path) -> dict[str, int]:
    """Every status the functions answered, from their JSON log lines (so non-2xx are explained)."""
    counts: dict[str, int] = {}
    for log in tmp.glob("gateway-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"status":' in line:
                status = str(json.loads(line).get("status"))
                counts[status] = counts.get(status, 0) + 1
    return counts


def _max_id(url: str, headers: dict[str, str]) -> int:
    """The highest id so far: the add phase's reservations follow it (ids only increase)."""
    items = httpx.get(f"{url}/reservations", headers=headers, params={"limit": 500}).json()["items"]
    with httpx.Client(base_url=url, headers=headers) as client:
        response = client.post(
            "/reservations",
            json={
                "guest_name": "marker",
                "room_number": 99999,
                "nights": 1,
                "check_in": (today_utc() + timedelta(days=700)).isoformat(),
            },
        )
        marker = int(response.json()["reservation_id"])
        client.delete(f"/reservations/{marker}")
    return max([marker, *(int(r["reservation_id"]) for r in items)])


if __name__ == "__main__":
    main()
