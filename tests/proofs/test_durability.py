"""Fast variant of suite 5 (SQLite): kill -9 under a write load, and a full disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.proofs import crash

# A proof (kill -9 under a write load, a full disk): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow

# tmpfs needs root (the CI machine and this one run as root); the file-size limit needs nothing.
DISKS = ["fsize"] + (["tmpfs"] if crash.can_mount_tmpfs() else [])


@pytest.mark.parametrize("server_workers", [1, 2])
def test_kill_9_of_every_server_process_loses_no_acknowledged_write(tmp_path: Path, server_workers: int):
    figures = crash.kill_rounds(tmp_path, rounds=3, server_workers=server_workers)
    assert figures.failures == []
    assert figures.counts["kills"] == 3
    # each kill reached the server and every worker, and each restart took the very same port
    assert figures.counts["processes_killed"] >= 3 * (1 + (server_workers if server_workers > 1 else 0))
    assert figures.counts["restarts_on_the_same_port"] == 3
    assert figures.counts["acknowledged_adds"] > 0
    assert figures.counts["lost_writes"] == 0
    assert figures.counts["phantoms"] == 0


@pytest.mark.parametrize("kind", DISKS)
def test_full_disk_is_503_and_leaves_nothing_half_written(tmp_path: Path, kind: str):
    figures = crash.full_disk(tmp_path, kind=kind, adds_when_full=8)
    assert figures.failures == []
    assert figures.counts["refused_503"] > 0
    assert figures.counts["half_written"] == 0
