"""Starting what the benchmarks measure: our gateway and the Chalice peer, on free loopback ports."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.tenants.admin import Tenants

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{url} did not come up: {log.read_text()[-2000:]}")


def create_customer(settings: Settings, name: str) -> str:
    registry, store = open_registry(settings), open_store(settings)
    try:
        ensure = getattr(registry, "ensure_table", None)
        if ensure is not None:
            ensure()
        return Tenants(registry, store, settings).create(name).api_key
    finally:
        registry.close()
        store.close()


def start_gateway(settings: Settings, tmp: Path, *extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = tmp / f"gateway-{port}.log"
    env = {**os.environ, **settings.to_env(), "XDG_CONFIG_HOME": str(tmp / "config")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "reservations", "serve", "--port", str(port), *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", process, log)
    return url, process


def start_chalice_peer(sqlite_file: Path, tmp: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = tmp / "chalice.log"
    chalice = Path(sys.executable).with_name("chalice")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(chalice), "local", "--host", "127.0.0.1", "--port", str(port), "--no-autoreload"],
            cwd=ROOT / "bench" / "peer_chalice",
            env={**os.environ, "PEER_SQLITE_FILE": str(sqlite_file)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/reservations", process, log)
    return url, process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def moto(kind: str) -> Iterator[str | None]:
    """moto's server on a free port when the store is DynamoDB (fake credentials, no AWS account)."""
    if kind != "dynamodb":
        yield None
        return
    from tests.serial_moto import SerialMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log: a line per call otherwise
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    port = free_port()
    server = SerialMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
