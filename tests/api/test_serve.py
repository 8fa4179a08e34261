"""``reservations serve`` as a user runs it: first start, restart durability, clean stop, bad flags, CORS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from reservations.domain.parsing import today_utc
from reservations.settings import Settings
from tests.support import processes
from tests.support.server import free_port, start_gateway

DAY = today_utc() + timedelta(days=20)


@pytest.mark.slow
def test_first_start_creates_demo_and_restart_keeps_every_acknowledged_write(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    port = free_port()
    first = start_gateway(settings, tmp_path, port=port)
    output = first.log_path.read_text()
    key = next(word for word in output.split() if word.startswith("rsv_"))
    headers = {"X-Customer": "demo", "X-Api-Key": key}
    acked = []
    for room in range(1, 21):
        response = httpx.post(
            f"{first.url}/reservations",
            headers=headers,
            json={"guest_name": "Durable", "room_number": room, "nights": 2, "check_in": DAY.isoformat()},
        )
        assert response.status_code == 201
        acked.append(response.json())
    deleted = acked.pop(0)
    assert (
        httpx.delete(f"{first.url}/reservations/{deleted['reservation_id']}", headers=headers).status_code
        == 204
    )
    assert first.stop() == 0  # SIGTERM: a clean stop

    second = start_gateway(settings, tmp_path, port=port)
    try:
        assert "rsv_" not in second.log_path.read_text().split("Press Ctrl-C")[-1]  # no second demo key
        items = httpx.get(f"{second.url}/reservations", headers=headers, params={"limit": 500}).json()[
            "items"
        ]
        assert items == acked
    finally:
        second.stop()


@pytest.mark.slow
def test_occupied_port_is_one_line_and_exit_2(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    running = start_gateway(settings, tmp_path)
    try:
        port = running.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "reservations",
                "serve",
                "--port",
                port,
                "--data-dir",
                str(tmp_path / "other"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")},
            timeout=30,
        )
    finally:
        running.stop()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"reservations serve: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_bad_flag_is_exit_2(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "reservations", "serve", "--store", "postgres"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "python -m reservations serve: Invalid value for '--store': Value error, 'postgres' is not one of 'sqlite', 'dynamodb'."
    ]


@pytest.mark.slow
def test_cors_preflight_for_configured_origin_only(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    running = start_gateway(settings, tmp_path, extra_args=["--cors-origin", "https://hotel.example.com"])
    try:
        allowed = httpx.options(
            f"{running.url}/reservations",
            headers={"Origin": "https://hotel.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://hotel.example.com"
        assert "X-Api-Key" in allowed.headers["access-control-allow-headers"]
        refused = httpx.options(
            f"{running.url}/reservations",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in refused.headers
        simple = httpx.get(f"{running.url}/reservations", headers={"Origin": "https://hotel.example.com"})
        assert simple.status_code == 401
        assert simple.headers["access-control-allow-origin"] == "https://hotel.example.com"
    finally:
        running.stop()


@pytest.mark.slow
def test_default_serve_runs_one_worker_per_cpu(tmp_path: Path):
    """What ``make run`` gives is what the gateway benchmark measures: a worker per CPU (at most 4)."""
    expected = max(1, min(len(os.sched_getaffinity(0)), 4))
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    running = start_gateway(settings, tmp_path)
    try:
        pid = running.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ") for child in children]
        servers = [c for c in commands if b"multiprocessing.spawn" in c]
        assert len(servers) == (expected if expected > 1 else 0), commands
        # Every worker answers: more requests than workers, all served.
        for _ in range(4 * expected):
            assert httpx.get(f"{running.url}/healthz").status_code == 200
    finally:
        assert running.stop() == 0


@pytest.mark.slow
def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path):
    """A crash of ``serve`` (kill -9: no clean-up runs) leaves no worker serving the port."""
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    port = free_port()
    running = start_gateway(settings, tmp_path, port=port, extra_args=["--workers", "2"])
    try:
        workers = processes.children(running.process.pid)
        assert len(workers) >= 2
        os.kill(running.process.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        running.process.wait()
        assert processes.wait_gone(workers) == []
        # The port is free again: the next start binds it, instead of "Address already in use".
        again = start_gateway(settings, tmp_path, port=port)
        assert again.stop() == 0
    finally:
        running.kill()
