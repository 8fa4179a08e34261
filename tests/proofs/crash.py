"""Suite 5, durability (SQLite): ``kill -9`` during a write load, and a full disk.

Each kill is ``kill -9`` of every process of the server at once (the server and its workers, with
one worker and with several), mid-write; then the gateway restarts on the same port and files; every acknowledged add must be there as
acknowledged, every acknowledged delete gone, nothing present that no request could have written,
and the files consistent (SQLite's integrity check; every reservation has exactly its nights).
A kill is a process crash: the page cache survives it, so this proves the commit protocol (a 2xx
only after COMMIT), not the disk's fsync.  The full disk is a 2 MiB tmpfs when this process may
mount one, else a file-size limit (``RLIMIT_FSIZE``) put on the running gateway with prlimit(2):
either way adds must get 503 + ``Retry-After`` and leave nothing half-written, and the store must
take writes again once there is room.
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from reservations.settings import Settings
from tests.proofs.harness import Figures, day, list_all, overlapping
from tests.support.aio import run_async
from tests.support.server import Gateway, free_port, start_gateway


def check_files(data_dir: Path, figures: Figures) -> None:
    """Opens every table file directly: integrity, and each reservation's nights complete and alone."""
    for path in sorted((data_dir / "tables").glob("*.sqlite3")):
        conn = sqlite3.connect(path)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                figures.fail(f"{path.name}: integrity check failed")
            rows = conn.execute(
                "SELECT reservation_id, room_number, nights, check_in FROM reservations"
            ).fetchall()
            nights = conn.execute("SELECT reservation_id, room_number, night FROM nights").fetchall()
        finally:
            conn.close()
        expected = {
            (rid, room, (date.fromisoformat(start) + timedelta(days=i)).isoformat())
            for rid, room, count, start in rows
            for i in range(count)
        }
        if set(nights) != expected:
            figures.fail(f"{path.name}: half-written rows: {sorted(set(nights) ^ expected)[:5]}")
            figures.add("half_written")


async def _load(
    url: str,
    headers: dict[str, str],
    writers: int,
    slots: Iterator[int],
    state: dict[str, Any],
    stop: asyncio.Event,
) -> None:
    async def writer() -> None:
        mine: list[int] = []
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as http:
            while not stop.is_set():
                if mine and random.random() < 0.3:
                    rid = mine.pop(random.randrange(len(mine)))
                    state["in_flight_deletes"].add(rid)
                    try:
                        response = await http.delete(f"/reservations/{rid}")
                    except httpx.HTTPError:
                        return  # the server died: the delete may or may not have happened
                    if response.status_code == 204:
                        state["deleted"].add(rid)
                        state["in_flight_deletes"].discard(rid)
                    else:
                        state["errors"].append(f"delete {rid}: {response.status_code}")
                    continue
                slot = next(slots)
                body = {
                    "guest_name": f"crash {slot}",
                    "room_number": 1 + slot % 99_999,
                    "nights": 1 + slot % 3,
                    "check_in": day(1 + 3 * (slot // 99_999)),
                }
                state["in_flight_adds"].append(body)
                try:
                    response = await http.post("/reservations", json=body)
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    state["added"][response.json()["reservation_id"]] = response.json()
                    mine.append(response.json()["reservation_id"])
                else:
                    state["errors"].append(f"add: {response.status_code} {response.text[:100]}")

    await asyncio.gather(*(writer() for _ in range(writers)))


async def _load_then_kill(
    gateway: Gateway,
    headers: dict[str, str],
    writers: int,
    slots: Iterator[int],
    state: dict[str, Any],
    after_s: float,
) -> None:
    stop = asyncio.Event()
    load = asyncio.create_task(_load(gateway.url, headers, writers, slots, state, stop))
    await asyncio.sleep(after_s)  # the first second after a start warms up
    # On a loaded machine the restart can take longer than ``after_s``: a kill before the first
    # acknowledged write would prove nothing, so it waits for one (a minute at most).
    for _ in range(1200):
        if state["added"] or load.done():
            break
        await asyncio.sleep(0.05)
    # kill -9 of the server and every worker at once, mid-write: each of them holds the files
    state["killed"] = gateway.kill()
    stop.set()
    await load


def kill_rounds(
    tmp: Path,
    *,
    rounds: int,
    writers: int = 8,
    server_workers: int = 2,
    store: str = "sqlite",
    seed: int = 7,
) -> Figures:
    """``rounds`` times: a write load, ``kill -9`` of every server process, a restart on the same port.

    The restart binds the very port the killed server had, so a survivor holding it (or the files)
    would make it fail; ``processes_killed`` counts the processes each kill reached.
    """
    figures = Figures(
        "crash durability", f"{store} ({server_workers} worker{'s' if server_workers > 1 else ''})"
    )
    rng = random.Random(seed)
    tmp.mkdir(parents=True, exist_ok=True)
    settings = Settings(store="sqlite", data_dir=tmp / "data")
    port = free_port()
    serve_args = ["--workers", str(server_workers)]
    gateway = start_gateway(settings, tmp, port=port, extra_args=serve_args)
    key = gateway.create_customer("crash")
    headers = {"X-Customer": "crash", "X-Api-Key": key}
    slots = iter(range(10**9))
    added: dict[int, dict[str, Any]] = {}
    deleted: set[int] = set()
    maybe_added: list[dict[str, Any]] = []
    maybe_deleted: set[int] = set()
    try:
        for _ in range(rounds):
            state: dict[str, Any] = {
                "added": {},
                "deleted": set(),
                "in_flight_adds": [],
                "in_flight_deletes": set(),
                "errors": [],
            }

            run_async(_load_then_kill(gateway, headers, writers, slots, state, rng.uniform(1.0, 3.5)))
            figures.add("kills")
            # the server and its workers (one process when it serves alone), and nothing outlived it
            figures.add("processes_killed", len(state["killed"]))
            if len(state["killed"]) < 1 + (server_workers if server_workers > 1 else 0):
                figures.fail(f"kill -9 reached only {state['killed']}")
            added.update(state["added"])
            deleted |= state["deleted"]
            maybe_deleted |= state["in_flight_deletes"]
            maybe_added += state["in_flight_adds"]
            for error in state["errors"]:
                figures.fail(f"refused while the server was up: {error}")
            figures.add("acknowledged_adds", len(state["added"]))
            figures.add("acknowledged_deletes", len(state["deleted"]))
            gateway = start_gateway(settings, tmp, port=port, extra_args=serve_args)
            figures.add("restarts_on_the_same_port")
            stored = {r["reservation_id"]: r for r in list_all(gateway.url, headers)}
            lost = [
                rid
                for rid, r in added.items()
                if rid not in deleted and rid not in maybe_deleted and stored.get(rid) != r
            ]
            resurrected = [rid for rid in deleted if rid in stored]
            possible = {(b["guest_name"], b["room_number"]) for b in maybe_added}
            phantom = [
                rid
                for rid, r in stored.items()
                if rid not in added and (r["guest_name"], r["room_number"]) not in possible
            ]
            figures.add("lost_writes", len(lost) + len(resurrected))
            figures.add("phantoms", len(phantom))
            for rid in lost:
                figures.fail(f"acknowledged add {rid} lost or changed after kill -9")
            for rid in resurrected:
                figures.fail(f"acknowledged delete {rid} undone after kill -9")
            for rid in phantom:
                figures.fail(f"{rid} stored but never requested")
            if overlapping(list(stored.values())):
                figures.fail("double booking after restart")
            # an add in flight at the kill is either wholly there or wholly absent (checked on the files)
            for rid, r in stored.items():
                if rid not in added:
                    figures.add("in_flight_adds_committed")
                    added[rid] = r
            maybe_added.clear()
            deleted -= maybe_deleted
            for rid in maybe_deleted:
                if rid not in stored:
                    deleted.add(rid)
                    figures.add("in_flight_deletes_committed")
            maybe_deleted.clear()
    finally:
        gateway.stop()
    check_files(settings.data_dir, figures)
    figures.counts.setdefault("lost_writes", 0)
    return figures


# --------------------------------------------------------------------------- full disk


def can_mount_tmpfs() -> bool:
    """Whether this process may mount a tmpfs (root, and a kernel and container that allow it)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where = Path(tempfile.mkdtemp(prefix="tmpfs-probe-"))
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(where)], check=True)
        return True
    finally:
        where.rmdir()


@contextmanager
def tmpfs(where: Path, size: str = "2m") -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@contextmanager
def _same_disk(where: Path) -> Iterator[Path]:
    yield where


def _fill(disk: Path) -> Path:
    """Takes every free byte of the file system."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def _process_tree(pid: int) -> list[int]:
    """The gateway and its worker processes: `serve` forks a worker per CPU by default, and a
    resource limit set on the parent does not reach children that already exist."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text(encoding="ascii").split()
            pending.extend(int(child) for child in children)
    return tree


def _limit_file_size(pid: int, limit: int) -> None:
    for process in _process_tree(pid):
        resource.prlimit(process, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def full_disk(tmp: Path, *, kind: str, adds_when_full: int = 30, store: str = "sqlite") -> Figures:
    """``kind``: ``tmpfs`` (needs root) or ``fsize`` (RLIMIT_FSIZE on the gateway; anyone)."""
    figures = Figures(f"full disk ({kind})", store)
    tmp.mkdir(parents=True, exist_ok=True)
    with _same_disk(tmp) if kind == "fsize" else tmpfs(tmp / "disk") as disk:
        settings = Settings(store="sqlite", data_dir=disk / "data")
        gateway = start_gateway(settings, tmp)
        try:
            key = gateway.create_customer("full")
            headers = {"X-Customer": "full", "X-Api-Key": key}
            acknowledged = _add_some(gateway, headers, range(0, 20), figures, expect=201)
            if kind == "tmpfs":
                filler = _fill(disk)
            else:
                files = list((settings.data_dir / "tables").glob("*")) + list(settings.data_dir.glob("*"))
                limit = max(p.stat().st_size for p in files if p.is_file())
                _limit_file_size(gateway.process.pid, limit)
            refused = 0
            for n in range(20, 20 + adds_when_full):
                response = _add(gateway, headers, n)
                figures.add("adds_while_full")
                if response.status_code == 201:
                    acknowledged[response.json()["reservation_id"]] = response.json()
                    continue
                refused += 1
                _expect_unavailable(response, figures)
            figures.counts["refused_503"] = refused
            if refused == 0:
                figures.fail("the disk never filled up: no add was refused")
            listed = httpx.get(f"{gateway.url}/reservations", headers=headers, timeout=30)
            if listed.status_code != 200:
                figures.fail(f"reads fail on a full disk: {listed.status_code} {listed.text[:200]}")
            if kind == "tmpfs":
                filler.unlink()
            else:
                _limit_file_size(gateway.process.pid, resource.RLIM_INFINITY)
            acknowledged.update(_add_some(gateway, headers, range(100, 105), figures, expect=201))
            stored = {r["reservation_id"]: r for r in list_all(gateway.url, headers)}
            if stored != acknowledged:
                figures.fail(
                    f"store differs from the acknowledged adds: {sorted(set(stored) ^ set(acknowledged))}"
                )
                figures.add("half_written")
        finally:
            gateway.stop()
        check_files(settings.data_dir, figures)
    figures.counts.setdefault("half_written", 0)
    return figures


def _add(gateway: Gateway, headers: dict[str, str], n: int) -> httpx.Response:
    body = {"guest_name": f"disk {n} " + "x" * 80, "room_number": 100 + n, "nights": 30, "check_in": day(2)}
    return httpx.post(f"{gateway.url}/reservations", json=body, headers=headers, timeout=30)


def _add_some(
    gateway: Gateway, headers: dict[str, str], numbers: range, figures: Figures, *, expect: int
) -> dict[int, Any]:
    done = {}
    for n in numbers:
        response = _add(gateway, headers, n)
        if response.status_code != expect:
            figures.fail(f"add {n}: expected {expect}, got {response.status_code} {response.text[:200]}")
        elif expect == 201:
            done[response.json()["reservation_id"]] = response.json()
    return done


def _expect_unavailable(response: httpx.Response, figures: Figures) -> None:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if response.status_code != 503 or code != "unavailable" or not response.headers.get("retry-after"):
        figures.fail(
            f"full disk answered {response.status_code} {response.headers.get('retry-after')} {response.text[:200]}"
        )
