"""Process groups of the servers a test starts: who is in one, ending all of it, waiting until it is gone.

A test starts each server in a session of its own (``start_new_session``), so the server, its
workers and anything they fork share one process group that a test can end whole: signalling only
the pid it started would leave workers behind, serving the port and holding the files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

GONE_WAIT_S = 30.0


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    return raw[raw.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie has let go of its sockets and files, so it counts as gone."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """The live processes of process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return sorted(members)


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (every thread's)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text(encoding="ascii").split()]
        except OSError:
            continue
    return found


def wait_gone(pids: Iterable[int], timeout_s: float = GONE_WAIT_S) -> list[int]:
    """Waits until none of ``pids`` is alive; returns those still alive when the time is up."""
    pending = list(pids)
    deadline = time.monotonic() + timeout_s
    while True:
        pending = [pid for pid in pending if alive(pid)]
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.05)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> list[int]:
    """Sends ``sig`` to the whole group at once; returns the members it reached."""
    members = group_members(pgid)
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return []
    return members


def signal_and_wait(process: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout_s: float = 15) -> None:
    """``sig`` to the process as a user would send it (SIGTERM lets it finish), ``kill -9`` if it has
    not ended within ``timeout_s``."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop(process: subprocess.Popen[Any], timeout_s: float = 15, sig: int = signal.SIGTERM) -> int | None:
    """Stops a server started with ``start_new_session=True`` (``signal_and_wait``), then ``kill -9`` of
    whatever its group still holds; returns the server's exit status."""
    signal_and_wait(process, sig, timeout_s)
    left = kill_group(process.pid)
    wait_gone(left)
    return process.returncode
