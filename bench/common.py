"""Shared by the benchmarks: percentiles, the printed table, the JSON file, the machine's description."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COMMITTED_RESULTS = Path(__file__).resolve().parent / "results"
# `make bench` and `make soak` write the committed results (they set RESERVATIONS_BENCH_RESULTS); a
# benchmark run by hand writes to a scratch folder, so trying one never rewrites what the docs quote.
RESULTS = Path(
    os.environ.get("RESERVATIONS_BENCH_RESULTS") or Path(tempfile.gettempdir()) / "reservations-bench"
)
# Taken when the benchmark's interpreter imports this (each benchmark runs in its own), so the
# load and date recorded are those at its start, not when it writes its results.
_STARTED = (os.getloadavg(), time.gmtime())


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    load, started = _STARTED
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", started),
    }


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [
        f"## {title}",
        "",
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
    ]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write(name: str, data: dict[str, Any], markdown: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\n(written to {path})")
    if RESULTS.resolve() != COMMITTED_RESULTS:
        print("(a scratch copy: `make bench` updates bench/results/, which docs/benchmarks.md is made from)")
    return path


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


async def raw_request(
    host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a fresh connection with plain asyncio streams.

    httpx needs seconds to open a couple of hundred connections at once, which would measure the
    client, not the server; this costs a few microseconds of client CPU per request.
    """
    import asyncio

    reader, writer = await asyncio.open_connection(host, port)
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(head.encode("latin-1") + b"\r\n" + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def fail_if_missed(missed: Sequence[str]) -> None:
    """A benchmark whose goal is missed exits 1 (after writing its results), so a regression is seen."""
    if missed:
        print(f"GOAL MISSED: {'; '.join(missed)}", file=sys.stderr)
        raise SystemExit(1)
