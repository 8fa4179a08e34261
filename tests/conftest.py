"""Fixtures shared by every suite: AWS credentials that reach no account, and moto's server over HTTP."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from reservations.settings import Settings
from tests import processes
from tests.aws_calls import _declared_aws_calls_only  # noqa: F401  (autouse: functions make declared AWS calls only)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real AWS account: fake credentials, a fixed region, no shared profile."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto's server on a free loopback port, one per test process; yields its endpoint URL.

    Real HTTP, so botocore's wire format (serialisation, retries, errors) is exercised.  Requests are
    served one at a time: moto's transactions are not atomic under concurrency (see serial_moto).
    """
    from tests.serial_moto import SerialMotoServer

    port = free_port()
    server = SerialMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """moto's endpoint, reset to empty before the test."""
    import urllib.request

    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    return moto_server


# The role the API functions assume per customer (moto's STS answers for any role): with it set, the
# DynamoDB store runs every request under tenant-scoped credentials, as in AWS.
TENANT_ROLE_ARN = "arn:aws:iam::123456789012:role/reservations-list-tenant"

STORE_KINDS = ["sqlite"] + (["dynamodb"] if importlib.util.find_spec("reservations.stores.dynamodb") else [])


@dataclass
class Gateway:
    """A real ``reservations serve`` process and what it takes to call it."""

    url: str
    settings: Settings
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_path: Path
    keys: dict[str, str] = field(default_factory=dict)  # customer -> API key

    def create_customer(self, name: str) -> str:
        from reservations.stores import open_registry, open_store
        from reservations.tenants import Tenants

        registry, store = open_registry(self.settings), open_store(self.settings)
        try:
            ensure = getattr(registry, "ensure_table", None)
            if ensure is not None:
                ensure()
            created = Tenants(registry, store, self.settings).create(name)
        finally:
            registry.close()
            store.close()
        self.keys[created.customer.name] = created.api_key
        return created.api_key

    def headers(self, customer: str) -> dict[str, str]:
        return {"X-Customer": customer, "X-Api-Key": self.keys[customer]}

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stops the server as a user would (``sig`` to the pid started), then whatever it left behind."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.kill()
        return self.process.returncode

    def kill(self) -> list[int]:
        """``kill -9`` of every process of the server's group at once; returns when all are gone.

        Returns the processes it reached (the server and its workers, when it was running).
        """
        killed = processes.kill_group(self.process.pid)
        self.process.poll()  # reaps the server itself; the workers' parent (or init) reaps them
        left = processes.wait_gone(killed)
        if left:
            raise RuntimeError(f"processes {left} of the gateway survived SIGKILL")
        if self.process.returncode is None:
            self.process.wait()
        return killed


def start_gateway(
    settings: Settings, tmp: Path, *, port: int | None = None, extra_args: Sequence[str] = ()
) -> Gateway:
    """Starts ``reservations serve`` on a free loopback port and waits until /healthz answers."""
    import httpx

    port = port or free_port()
    env = {
        **os.environ,
        **settings.to_env(),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }
    log_path = tmp / f"gateway-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reservations",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *extra_args,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own, so stop() and kill() reach every worker
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            processes.kill_group(process.pid)
            raise RuntimeError(f"gateway exited with {process.returncode}: {log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            processes.kill_group(process.pid)
            process.wait()
            raise RuntimeError(f"gateway did not start: {log_path.read_text()}")
        time.sleep(0.05)
    return Gateway(url=url, settings=settings, process=process, env=env, log_path=log_path)


def store_settings(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Settings:
    if kind == "dynamodb":
        endpoint = request.getfixturevalue("moto_server")
        prefix = f"t{uuid.uuid4().hex[:8]}_"
        return Settings(
            store="dynamodb",
            dynamodb_endpoint=endpoint,
            table_prefix=prefix,
            region="us-east-1",
            tenant_role_arn=TENANT_ROLE_ARN,
        )
    return Settings(store="sqlite", data_dir=tmp / "data")


@pytest.fixture(scope="module", params=STORE_KINDS)
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A running gateway per store kind with customers ``star`` and ``moon``, shared by a test module."""
    tmp = tmp_path_factory.mktemp(f"gateway-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }.items():
            patch.setenv(name, value)
        settings = store_settings(request.param, tmp, request)
        running = start_gateway(settings, tmp)
        try:
            running.create_customer("star")
            running.create_customer("moon")
            yield running
        finally:
            running.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium per test process, shared by every suite that drives a page.

    Playwright's sync API keeps an event loop running in this thread while it is open, so there
    can be only one, and code under test that needs asyncio goes through ``run_async``.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: works even while a Playwright session holds this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
