"""The edge's real processes: nginx rendered by ``reservations edge render`` (or started by ``edge
run``), a recording HTTP upstream's records, and ``reservations serve`` with customers made by
``reservations tenants create``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.support import processes
from tests.support.server import free_port, start_serve, wait_healthy

RESERVATIONS = [
    sys.executable,
    "-c",
    "import sys; from reservations.cli import main; sys.argv[0] = 'reservations'; main()",
]
TENANTS = {"star.hotels.example.com": "star", "moon.hotels.example.com": "moon"}
INDEX_HTML = "<!doctype html><title>Reservations</title><p>page served by nginx</p>\n"


def cli_env(base: Path) -> dict[str, str]:
    """Child processes write their profiles and data under the test's own directory, never ~."""
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(base / "config")
    env["XDG_DATA_HOME"] = str(base / "data-home")
    return env


@dataclass
class Edge:
    url: str
    port: int
    state_dir: Path
    log_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def access_log(self) -> Path:
        return self.log_dir / "access.log"

    def access_entries(self) -> list[dict[str, Any]]:
        # nginx writes each entry with one write(); give the worker a moment after the response.
        time.sleep(0.1)
        return [json.loads(line) for line in self.access_log.read_text().splitlines() if line]


def _render_and_start(options: list[str], state: Path, sink: IO[bytes]) -> subprocess.Popen[bytes]:
    """``reservations edge render`` (in this process), then nginx itself as ``edge run`` would start it."""
    from typer.testing import CliRunner

    from reservations.cli import app
    from reservations.edge.runner import find_nginx

    user = ["--user", "root"] if os.geteuid() == 0 else []
    rendered = CliRunner().invoke(app, ["edge", "render", *options, "--out", str(state), *user])
    assert rendered.exit_code == 0, rendered.output
    (state / "logs").mkdir(exist_ok=True)
    command = [str(find_nginx()), "-p", f"{state}/", "-c", str(state / "nginx.conf")]
    return subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)


@contextmanager
def running_edge(
    upstream: str,
    base: Path,
    *args: str,
    tenants: dict[str, str] | None = None,
    stop_signal: int = signal.SIGTERM,
    via_run: bool = True,
    tenants_map: bool = True,
) -> Iterator[Edge]:
    """nginx in front of ``upstream``, stopped with ``stop_signal``, which must end it with status 0.

    ``via_run``: started by ``reservations edge run`` (the command under test); otherwise rendered by
    ``reservations edge render`` and started directly, which saves a Python start-up per test where the
    runner itself is not the point.  ``tenants_map``: False for an edge whose custom domains come from
    the registry (``--sync-hosts``).
    """
    base.mkdir(parents=True, exist_ok=True)
    web = base / "web"
    web.mkdir(exist_ok=True)
    (web / "index.html").write_text(INDEX_HTML)
    tenants_file = base / "tenants.json"
    tenants_file.write_text(json.dumps(TENANTS if tenants is None else tenants))
    port = free_port()
    state, logs = base / "state", base / "state" / "logs"
    output = base / "edge-run.out"
    options = [
        "--upstream", upstream, "--port", str(port),
        *(["--tenants-map", str(tenants_file)] if tenants_map else []),
        "--web-dir", str(web), "--state-dir", str(state), "--log-dir", str(logs), "--workers", "1", *args,
    ]  # fmt: skip
    with output.open("wb") as sink:
        if via_run:
            command = [*RESERVATIONS, "edge", "run", *options]
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, env=cli_env(base), start_new_session=True
            )
        else:
            # nginx's own graceful stop stands in for the runner's forwarding of SIGTERM/SIGINT.
            stop_signal = signal.SIGQUIT
            process = _render_and_start(options, state, sink)
    edge = Edge(f"http://127.0.0.1:{port}", port, state, logs, process)
    try:
        wait_healthy(edge.url, process, output, timeout_s=20)
        yield edge
    finally:
        status = processes.stop(process, sig=stop_signal)
    assert status == 0, f"edge exited {status} on signal {stop_signal}:\n{output.read_text(errors='replace')}"
    assert not (state / "nginx.pid").exists() or not (state / "nginx.pid").read_text().strip()


@dataclass
class Recorded:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass
class RecordingUpstream:
    """A real HTTP server standing in for the API: it records exactly what nginx sent it."""

    url: str
    requests: list[Recorded] = field(default_factory=list)

    def last(self) -> Recorded:
        assert self.requests, "nginx forwarded nothing"
        return self.requests[-1]


@dataclass
class Gateway:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    keys: dict[str, str]


def create_customers(base: Path, data_dir: Path, names: tuple[str, ...]) -> dict[str, str]:
    """``reservations tenants create NAME --json`` for each name, run side by side; name -> API key."""
    command = [*RESERVATIONS, "tenants", "create"]
    started = {
        name: subprocess.Popen(
            [*command, name, "--json", "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli_env(base),
        )
        for name in names
    }
    keys = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr.decode(errors="replace")
        created = json.loads(stdout)
        assert created["customer"] == name
        keys[name] = str(created["api_key"])
    return keys


@contextmanager
def running_gateway(base: Path, customers: tuple[str, ...] = ("star", "moon")) -> Iterator[Gateway]:
    """``reservations serve`` on a temp data dir, with each customer created by ``tenants create``."""
    base.mkdir(parents=True, exist_ok=True)
    data_dir = base / "gateway-data"
    process, url = start_serve(cli_env(base), base / "serve.out", "--data-dir", str(data_dir))
    gateway = Gateway(url, data_dir, process, {})
    try:
        gateway.keys.update(create_customers(base, data_dir, customers))
        yield gateway
    finally:
        processes.stop(process)
