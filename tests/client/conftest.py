"""A real local gateway (``reservations serve``) per test process, and helpers to drive the clients.

The gateway runs as a subprocess on a free port with a temporary data dir and a temporary
``XDG_CONFIG_HOME``, so the profile ``serve`` writes on first start is the one the clients read:
the README's path (``make run``, then ``reservations menu``) without editing a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from reservations.client import ReservationsClient
from reservations.client.config import Profile, load_profile
from reservations.domain import today_utc
from tests import processes
from tests.client.proxy import Proxy
from tests.conftest import free_port

CLI = [sys.executable, "-c", "from reservations.cli import main; main()"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def client_env(config_home: Path, **extra: str) -> dict[str, str]:
    """The environment of a client process: our sources first, no stray RESERVATIONS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    env["PYTHONPATH"] = os.pathsep.join([SRC, *filter(None, [env.get("PYTHONPATH")])])
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


@dataclass
class Gateway:
    url: str
    data_dir: Path
    config_home: Path
    demo: Profile  # written by ``serve`` on first start
    log: Path

    @property
    def config_file(self) -> Path:
        return self.config_home / "reservations" / "config.toml"

    def env(self, **extra: str) -> dict[str, str]:
        return client_env(self.config_home, **extra)

    def create_tenant(self, name: str) -> Profile:
        done = subprocess.run(
            [*CLI, "tenants", "create", name, "--json", "--data-dir", str(self.data_dir)],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        created = json.loads(done.stdout)
        return Profile(url=self.url, customer=created["customer"], api_key=created["api_key"])


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    root = tmp_path_factory.mktemp("gateway")
    data_dir, config_home, log = root / "data", root / "config", root / "serve.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)],
            env=client_env(config_home),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers share its group, which stop() ends whole
        )
    try:
        _wait_healthy(url, process, log)
        demo = load_profile("local", path=config_home / "reservations" / "config.toml")
        yield Gateway(url=url, data_dir=data_dir, config_home=config_home, demo=demo, log=log)
    finally:
        processes.stop(process, timeout_s=10)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`reservations serve` exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"`reservations serve` did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def acme(gateway: Gateway) -> Profile:
    """A second customer, made with the real ``tenants create`` command."""
    return gateway.create_tenant("acme")


@pytest.fixture
def demo(gateway: Gateway) -> Iterator[ReservationsClient]:
    """The demo customer's client, its reservations wiped so each test starts from an empty hotel."""
    with ReservationsClient(gateway.demo.url, gateway.demo.customer, gateway.demo.api_key) as client:
        for r in list(client.list(all_pages=True, limit=500)):
            client.delete(r.reservation_id)
        yield client


@pytest.fixture
def proxy(gateway: Gateway) -> Iterator[Proxy]:
    with Proxy(gateway.url, prefix="/api") as running:
        yield running


def days(n: int) -> date:
    """A check-in ``n`` days from today (UTC, the server's clock)."""
    return today_utc() + timedelta(days=n)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(gateway: Gateway, *args: str, stdin: str = "", **env: str) -> Ran:
    """Runs a command in this process (Typer's runner: real HTTP, no interpreter start-up per call)."""
    from typer.testing import CliRunner

    from reservations.cli import app

    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RESERVATIONS_")}
    environment |= {"XDG_CONFIG_HOME": str(gateway.config_home), "COLUMNS": "120", **env}
    result = CliRunner().invoke(app, list(args), input=stdin, env=environment, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(
    gateway: Gateway, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Runs a command as its own process, as a shell script would."""
    return subprocess.run(
        [*CLI, *args],
        env=gateway.env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
