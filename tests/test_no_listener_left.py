"""``make test``'s last check: the suite fails if it left a process listening behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import processes

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "no-listener-left"

# Forks a child that listens on loopback and outlives its parent, as a server's worker did when a
# test killed only the pid it started; the child prints its pid first.
ORPHAN = """
import os, socket, sys, time
sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen()
if os.fork() == 0:
    print(os.getpid(), flush=True)
    time.sleep(600)
"""


def test_a_listener_left_behind_fails_the_run_and_is_ended(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), sys.executable, "-c", ORPHAN],
        capture_output=True,
        text=True,
        timeout=120,
    )
    orphan = int(result.stdout.split()[0])
    assert result.returncode == 1, result.stderr
    assert "left listening on port" in result.stderr
    assert f"pid {orphan}:" in result.stderr
    assert processes.wait_gone([orphan]) == []


def test_a_command_that_leaves_nothing_keeps_its_status():
    quiet = subprocess.run([sys.executable, str(SCRIPT), sys.executable, "-c", "pass"], timeout=60)
    failing = subprocess.run(
        [sys.executable, str(SCRIPT), sys.executable, "-c", "raise SystemExit(3)"], timeout=60
    )
    assert (quiet.returncode, failing.returncode) == (0, 3)
