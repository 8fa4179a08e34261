"""Acceptance 3 of the clients issue: ``reservations list --json --all`` streams, so memory stays flat.

Starts the real local gateway (``reservations serve``) on a free port, seeds the demo customer with
N reservations, and runs the real command as a subprocess for growing N, reading its peak RSS
from ``wait4``.  It also traces the Python heap of the same code path in-process (tracemalloc),
which is free of the interpreter's fixed footprint.  For contrast, the human table (``list --all``
without ``--json``) must hold every row to size its columns, so its memory grows with N: the
measurement can see growth when there is some.

Seeding goes straight through the SQLite ``Store`` (not HTTP) on a tmpfs when there is one: this
bench measures the client, not the store's fsyncs.

    python -m bench.client_list_memory
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import table, write
from reservations.client.commands import Connection, list_reservations
from reservations.client.config import Profile, load_profile
from reservations.domain.parsing import now_utc, today_utc
from reservations.domain.reservation import NewReservation
from reservations.settings import Settings
from reservations.stores.sqlite import SqliteStore

NAME = "client_list_memory"
SIZES = (100, 1_000, 10_000)
CLI = [sys.executable, "-c", "from reservations.cli import main; main()"]
RESULTS = Path(__file__).resolve().parent / "results" / f"{NAME}.json"
ROOMS = 500  # reservation i: room i % ROOMS + 1, one night, day i // ROOMS + 1 from today


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(config_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["XDG_CONFIG_HOME"] = str(config_home)
    return env


@contextlib.contextmanager
def _gateway(root: Path) -> Any:
    port = _free_port()
    log = (root / "serve.log").open("wb")
    data_dir = root / "data"
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=_env(root / "config"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"reservations serve did not start:\n{(root / 'serve.log').read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield data_dir, load_profile("local", path=root / "config" / "reservations" / "config.toml")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _seed(store: SqliteStore, table: str, start: int, stop: int) -> None:
    first_day = today_utc() + timedelta(days=1)
    created = now_utc()
    for i in range(start, stop):
        new = NewReservation(f"Guest {i}", i % ROOMS + 1, 1, first_day + timedelta(days=i // ROOMS))
        store.add(table, new, created_at=created)


def _run_cli(root: Path, *args: str) -> dict[str, Any]:
    """Runs the command as its own process; peak RSS comes from the kernel, via wait4."""
    out_path = root / "out.txt"
    with out_path.open("wb") as out, (root / "err.txt").open("wb") as err:
        began = time.perf_counter()
        process = subprocess.Popen([*CLI, *args], env=_env(root / "config"), stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"reservations {' '.join(args)} failed: {(root / 'err.txt').read_text()}")
    items = len(json.loads(out_path.read_text())) if "--json" in args else None
    out_path.unlink()
    return {"seconds": round(seconds, 3), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "items": items}


def _heap_peak_kib(profile: Profile) -> float:
    """Peak of the Python heap while streaming every page to /dev/null, in this process."""
    conn = Connection(url=profile.url, customer=profile.customer, api_key=profile.api_key)
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        tracemalloc.start()
        try:
            list_reservations(conn, all_pages=True, start=None, end=None, room=None, limit=None, as_json=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return round(peak / 1024, 1)


def measure(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    root = Path(tempfile.mkdtemp(prefix="bench-client-", dir=base))
    rows: list[dict[str, Any]] = []
    try:
        with _gateway(root) as (data_dir, profile):
            store = SqliteStore(data_dir)
            table = Settings(data_dir=data_dir).table_for(profile.customer)
            seeded = 0
            for size in sizes:
                _seed(store, table, seeded, size)
                seeded = size
                streamed = _run_cli(root, "list", "--json", "--all")
                if streamed["items"] != size:
                    raise SystemExit(f"expected {size} reservations, the command printed {streamed['items']}")
                tabled = _run_cli(root, "list", "--all")
                rows.append(
                    {
                        "reservations": size,
                        "json_all_seconds": streamed["seconds"],
                        "json_all_peak_rss_mib": streamed["peak_rss_mib"],
                        "json_all_heap_peak_kib": _heap_peak_kib(profile),
                        "table_all_peak_rss_mib": tabled["peak_rss_mib"],
                    }
                )
            store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    first, last = rows[0], rows[-1]
    return {
        "benchmark": NAME,
        "command": "reservations list --json --all",
        "page_size": 500,
        "rows": rows,
        "json_rss_growth_mib": round(last["json_all_peak_rss_mib"] - first["json_all_peak_rss_mib"], 1),
        "json_heap_growth_kib": round(last["json_all_heap_peak_kib"] - first["json_all_heap_peak_kib"], 1),
        "table_rss_growth_mib": round(last["table_all_peak_rss_mib"] - first["table_all_peak_rss_mib"], 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    del argv  # no options
    result = measure()
    rows = [
        [
            f"{row['reservations']:,}",
            row["json_all_seconds"],
            row["json_all_peak_rss_mib"],
            row["json_all_heap_peak_kib"],
            row["table_all_peak_rss_mib"],
        ]
        for row in result["rows"]
    ]
    markdown = table(
        "`reservations list --json --all`: memory by number of reservations (pages of 500, streamed)",
        [
            "reservations",
            "json s",
            "json peak RSS MiB",
            "json heap peak KiB",
            "table (`list --all`) peak RSS MiB",
        ],
        rows,
    )
    markdown += (
        f"\n\nGrowth {SIZES[0]:,} -> {SIZES[-1]:,}: `--json --all` RSS {result['json_rss_growth_mib']} MiB, "
        f"heap {result['json_heap_growth_kib']} KiB; the human table (which must hold every row) {result['table_rss_growth_mib']} MiB."
    )
    write(NAME, result, markdown)
    return result


if __name__ == "__main__":
    main()
