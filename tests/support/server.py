"""``reservations serve`` as a test starts it: a free loopback port, a session of its own, healthy or
a failure that shows its log, and stopped with every worker it forked."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from reservations.settings import Settings
from tests.support import processes

SERVE = [sys.executable, "-m", "reservations", "serve"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[Any], log: Path, timeout_s: float = 30) -> None:
    """Returns once ``{url}/healthz`` answers 200; raises with ``log`` if the process exits or the time
    is up, having ended the process's group (a half-started server must not keep the port)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            processes.kill_group(process.pid)
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            processes.stop(process)
            raise RuntimeError(
                f"{url}/healthz did not answer in {timeout_s}s:\n{log.read_text(errors='replace')}"
            )
        time.sleep(0.05)


def start_serve(
    env: Mapping[str, str], log: Path, *args: str, port: int | None = None, timeout_s: float = 30
) -> tuple[subprocess.Popen[bytes], str]:
    """``reservations serve --host 127.0.0.1 --port PORT *args`` with its output in ``log``, healthy.

    It runs in a session of its own, so ``processes.stop`` ends its workers with it.  Returns the
    process and its URL.
    """
    port = port or free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*SERVE, "--host", "127.0.0.1", "--port", str(port), *args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log, timeout_s)
    return process, url


@dataclass
class Gateway:
    """A real ``reservations serve`` process started from ``Settings``, and what it takes to call it."""

    url: str
    settings: Settings
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_path: Path
    keys: dict[str, str] = field(default_factory=dict)  # customer -> API key

    def create_customer(self, name: str) -> str:
        from reservations.stores import open_registry, open_store
        from reservations.tenants.admin import Tenants

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

    def refusal(self, key_owner: str, customer: str) -> int:
        """The status of ``key_owner``'s valid key sent for ``customer``: one deployment knows every
        key, so it is "a valid key for another customer" (a stack of cells answers per cell)."""
        return 403

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stops the server as a user would (``sig`` to the pid started), then whatever it left behind."""
        processes.signal_and_wait(self.process, sig)
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
    """Starts ``reservations serve`` with ``settings`` (as its environment) and waits until it is healthy."""
    env = {
        **os.environ,
        **settings.to_env(),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }
    port = port or free_port()
    log_path = tmp / f"gateway-{port}.log"
    process, url = start_serve(env, log_path, *extra_args, port=port)
    return Gateway(url=url, settings=settings, process=process, env=env, log_path=log_path)
