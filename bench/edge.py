"""What nginx costs: list reservations directly from the gateway vs through the edge, concurrency 16.

Starts ``reservations serve`` (temp SQLite data dir) with one customer and 200 reservations, and
``reservations edge run`` in front of it with a rate limit high enough never to answer 429.  Each
target gets a warm-up, then alternating fixed-duration runs (median reported) of ``GET /reservations?limit=50`` at 16 concurrent
connections.  The load comes from wrk when installed (C, negligible client cost); otherwise from an
asyncio httpx generator, which on a small machine competes with the servers for the CPU, so the
ratio is what to read, not the absolute numbers.

    python -m bench.edge            # BENCH_EDGE_SECONDS=10 BENCH_EDGE_ROUNDS=5 for steadier numbers
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

NAME = "edge"
CONCURRENCY = 16
RESERVATIONS = 200
RESULTS = Path(__file__).resolve().parent / "results"
CLI = [sys.executable, "-m", "reservations"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited with status {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url}/healthz did not answer within {timeout_s}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def seed(url: str, headers: dict[str, str]) -> None:
    start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for i in range(RESERVATIONS):
            body = {
                "guest_name": f"Guest {i}",
                "room_number": 100 + i % 50,
                "nights": 1,
                "check_in": (start + dt.timedelta(days=i // 50)).isoformat(),
            }
            response = client.post("/reservations", json=body)
            if response.status_code != 201:
                raise SystemExit(f"seeding failed: {response.status_code} {response.text}")


_WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    command = [
        "wrk",
        "-t2",
        f"-c{CONCURRENCY}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        *header_args,
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    latency = {int(p): float(v) * _UNIT_MS[u] for p, v, u in _WRK_LATENCY.findall(output)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if not (rps and total and 50 in latency and 99 in latency):
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    failed = int(non_2xx.group(1)) if non_2xx else 0
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    return {
        "requests": int(total.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": latency[50],
        "p99_ms": latency[99],
        "errors": failed,
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
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": errors,
    }


def measure(url: str, headers: dict[str, str], seconds: float, tool: str) -> dict[str, Any]:
    if tool == "wrk":
        return run_wrk(url, headers, seconds)
    return asyncio.run(_httpx_load(url, headers, seconds))


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput, plus every run's numbers (the spread shows the noise)."""
    ordered = sorted(runs, key=lambda run: float(run["rps"]))
    return {**ordered[len(ordered) // 2], "runs": runs}


def compare(
    targets: dict[str, str], headers: dict[str, str], seconds: float, rounds: int, tool: str
) -> dict[str, Any]:
    """Alternates the targets round by round, so a burst of load from elsewhere hits both alike."""
    for url in targets.values():
        measure(url, headers, 1, tool)  # warm-up: connections, caches, SQLite pages
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, url in targets.items():
            runs[name].append(measure(url, headers, seconds, tool))
    return {name: median_run(results) for name, results in runs.items()}


def start_stack(base: Path) -> tuple[list[subprocess.Popen[bytes]], str, str, dict[str, str]]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(base / "config"), XDG_DATA_HOME=str(base / "data-home"))
    data = base / "data"
    gateway_port, edge_port = free_port(), free_port()
    gateway_url, edge_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{edge_port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    serve = [*CLI, "serve", "--port", str(gateway_port), "--data-dir", str(data)]
    gateway = subprocess.Popen(serve, **quiet)  # type: ignore[call-overload]
    processes = [gateway]
    wait_healthy(gateway_url, gateway)
    created = subprocess.run(
        [*CLI, "tenants", "create", "bench", "--json", "--data-dir", str(data)],
        capture_output=True,
        env=env,
        check=True,
        timeout=60,
    )
    key = json.loads(created.stdout)["api_key"]
    headers = {"X-Customer": "bench", "X-Api-Key": key}
    seed(gateway_url, headers)
    edge_command = [
        *CLI, "edge", "run", "--upstream", gateway_url, "--port", str(edge_port),
        "--rate", "9999999r/s", "--burst", "100000", "--state-dir", str(base / "edge"),
        "--log-dir", str(base / "edge"), "--web-dir", str(base),
    ]  # fmt: skip
    edge = subprocess.Popen(edge_command, **quiet)  # type: ignore[call-overload]
    processes.append(edge)
    wait_healthy(edge_url, edge)
    return processes, gateway_url, edge_url, headers


def main() -> None:
    seconds = float(os.environ.get("BENCH_EDGE_SECONDS", "4"))
    rounds = int(os.environ.get("BENCH_EDGE_ROUNDS", "3"))
    tool = "wrk" if shutil.which("wrk") else "httpx"
    query = "/reservations?limit=50"
    with tempfile.TemporaryDirectory(prefix="bench-edge-") as tmp:
        processes, gateway_url, edge_url, headers = start_stack(Path(tmp))
        try:
            targets = {"direct": gateway_url + query, "via_nginx": edge_url + "/api" + query}
            measured = compare(targets, headers, seconds, rounds, tool)
            direct, via_nginx = measured["direct"], measured["via_nginx"]
        finally:
            for process in reversed(processes):
                stop(process)
    ratio = {
        "throughput": via_nginx["rps"] / direct["rps"],
        "p99": via_nginx["p99_ms"] / direct["p99_ms"],
    }
    rows = [("direct", direct), ("via nginx", via_nginx)]
    lines = [
        f"## List via nginx vs direct (GET {query}, concurrency {CONCURRENCY}, "
        f"median of {rounds} x {seconds:g}s, {tool})",
        "",
        "| target    | requests | req/s    | p50 ms | p99 ms | errors |",
        "|-----------|----------|----------|--------|--------|--------|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label:<9} | {r['requests']:>8} | {r['rps']:>8.1f} | {r['p50_ms']:>6.2f} "
            f"| {r['p99_ms']:>6.2f} | {r['errors']:>6} |"
        )
    lines.append(f"\nratio nginx/direct: throughput {ratio['throughput']:.2f}x, p99 {ratio['p99']:.2f}x")
    print("\n".join(lines))
    result = {
        "benchmark": NAME,
        "request": f"GET {query}",
        "concurrency": CONCURRENCY,
        "duration_s": seconds,
        "rounds": rounds,
        "tool": tool,
        "reservations": RESERVATIONS,
        "direct": direct,
        "via_nginx": via_nginx,
        "ratio_nginx_over_direct": ratio,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"(written to {RESULTS / f'{NAME}.json'})")


if __name__ == "__main__":
    main()
