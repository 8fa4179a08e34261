"""Issue #23, goal 5 under real nginx: customer subdomains by one pattern, and custom domains that an
operator registers with ``reservations tenants hosts add`` answering without any redeploy: the edge's
sync (``reservations edge run --sync-hosts``) reads them from the registry and reloads nginx, which
lets the requests it holds finish."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.edge import RESERVATIONS, Edge, Gateway, cli_env, create_customers, running_edge
from tests.support.server import free_port

pytestmark = pytest.mark.nginx

PATTERN = "{customer}.hotels.example.com"
SYNC = ["--sync-hosts", "--sync-interval", "0.2", "--customer-host-pattern", PATTERN]


def tenants(base: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*RESERVATIONS, "tenants", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(base),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def eventually(probe: Callable[[], bool], what: str, timeout_s: float = 30, steady_s: float = 1.0) -> None:
    """Waits for the sync (it polls every 0.2 s) until ``probe`` has held for ``steady_s``: during a
    reload nginx's old workers still take connections with the old map for a moment, so one answer
    from a new worker does not yet mean every answer; the bound only keeps a broken sync from hanging."""
    deadline = time.monotonic() + timeout_s
    held_since: float | None = None
    while True:
        now = time.monotonic()
        if probe():
            held_since = now if held_since is None else held_since
            if now - held_since >= steady_s:
                return
        else:
            held_since = None
        if now > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def synced_edge(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    base = tmp_path_factory.mktemp("synced-edge")
    options = ["--rate", "1000r/s", *SYNC, "--data-dir", str(gateway.data_dir)]
    with running_edge(gateway.url, base, *options, tenants_map=False) as edge:
        yield edge


def reservations_on(edge: Edge, host: str, key: str) -> httpx.Response:
    return httpx.get(f"{edge.url}/api/reservations", headers={"Host": host, "X-Api-Key": key})


def test_customer_subdomains_map_by_the_pattern(gateway: Gateway, synced_edge: Edge) -> None:
    moon = reservations_on(synced_edge, "moon.hotels.example.com", gateway.keys["moon"])
    assert moon.status_code == 200, moon.text
    # Case and port do not matter, as for any host nginx compares.
    assert (
        reservations_on(synced_edge, "MOON.Hotels.example.com:443", gateway.keys["moon"]).status_code == 200
    )
    # The subdomain names the customer, whatever key comes with it: star's key on moon's host is 403.
    assert reservations_on(synced_edge, "moon.hotels.example.com", gateway.keys["star"]).status_code == 403
    # Only what could be a customer name maps (one letter cannot); elsewhere the client names itself.
    short = reservations_on(synced_edge, "m.hotels.example.com", gateway.keys["moon"])
    assert short.status_code == 401, short.text
    assert "X-Customer" in short.json()["error"]["message"]
    deeper = reservations_on(synced_edge, "moon.x.hotels.example.com", gateway.keys["moon"])
    assert deeper.status_code == 401
    entries = synced_edge.access_entries()
    assert any(e["host"] == "moon.hotels.example.com" and e["customer"] == "moon" for e in entries)


def test_a_registered_host_answers_without_a_redeploy(
    gateway: Gateway, synced_edge: Edge, tmp_path: Path
) -> None:
    host = "book.star-hotel.example"
    key = gateway.keys["star"]
    before = reservations_on(synced_edge, host, key)
    assert before.status_code == 401, before.text  # not mapped: no customer named

    added = tenants(tmp_path, gateway.data_dir, "hosts", "add", "star", host)
    assert f"{host} -> star (added)" in added.stdout
    eventually(lambda: reservations_on(synced_edge, host, key).status_code == 200, f"{host} maps to star")
    assert reservations_on(synced_edge, host, gateway.keys["moon"]).status_code == 403
    assert f"{host} star;" in (synced_edge.state_dir / "tenants.map").read_text()
    listed = tenants(tmp_path, gateway.data_dir, "hosts", "list", "--json")
    assert json.loads(listed.stdout)[host] == "star"

    tenants(tmp_path, gateway.data_dir, "hosts", "remove", host)
    eventually(lambda: reservations_on(synced_edge, host, key).status_code == 401, f"{host} unmapped")


class HeldUpstream:
    """An API stand-in that holds ``/hold`` until released, so a request is in flight for certain
    while nginx reloads; every other path answers at once with the customer nginx sent."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.holding = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.endswith("/hold"):
                    held.holding.set()
                    held.release.wait(timeout=60)
                body = json.dumps({"path": self.path, "customer": self.headers.get("X-Customer")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_the_reload_lets_requests_in_flight_finish(tmp_path: Path) -> None:
    data_dir = tmp_path / "registry"
    create_customers(tmp_path, data_dir, ("star",))
    upstream = HeldUpstream()
    host = "rooms.star-hotel.example"
    try:
        options = [*SYNC, "--data-dir", str(data_dir), "--upstream-timeout", "60"]
        with running_edge(upstream.url, tmp_path / "edge", *options, tenants_map=False) as edge:
            held: dict[str, httpx.Response] = {}
            request = threading.Thread(
                target=lambda: held.update(answer=httpx.get(f"{edge.url}/api/hold", timeout=60))
            )
            request.start()
            assert upstream.holding.wait(timeout=30), "the held request never reached the upstream"

            tenants(tmp_path, data_dir, "hosts", "add", "star", host)

            def mapped() -> bool:
                answer = httpx.get(f"{edge.url}/api/now", headers={"Host": host})
                return answer.status_code == 200 and answer.json()["customer"] == "star"

            eventually(mapped, f"{host} maps to star after the reload")
            assert request.is_alive(), "the held request ended before the reload it was to survive"
            upstream.release.set()
            request.join(timeout=60)
            assert held["answer"].status_code == 200, held["answer"].text
            assert held["answer"].json()["path"] == "/hold"
    finally:
        upstream.close()


def test_sync_hosts_refuses_a_tenants_map_too(tmp_path: Path) -> None:
    (tmp_path / "tenants.json").write_text("{}")
    done = subprocess.run(
        [*RESERVATIONS, "edge", "run", "--upstream", "http://127.0.0.1:9", "--sync-hosts",
         "--tenants-map", str(tmp_path / "tenants.json"), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, env=cli_env(tmp_path), check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "--sync-hosts" in done.stderr


def test_sync_once_prepares_the_pods_conf_dir(tmp_path: Path) -> None:
    """The EKS pod's init container: nginx.conf copied out of the read-only ConfigMap, the registry's
    custom domains written beside it, before nginx starts (so there is nothing to signal yet)."""
    data_dir = tmp_path / "registry"
    create_customers(tmp_path, data_dir, ("star",))
    tenants(tmp_path, data_dir, "hosts", "add", "star", "book.star-hotel.example")
    config_map, conf_dir, state = tmp_path / "config-map", tmp_path / "conf", tmp_path / "tmp"
    for folder in (config_map, conf_dir, state):
        folder.mkdir()
    (config_map / "nginx.conf").write_text("# the ConfigMap's nginx.conf\n")
    done = subprocess.run(
        [*RESERVATIONS, "edge", "sync", "--once", "--conf-from", str(config_map / "nginx.conf"),
         "--conf-dir", str(conf_dir), "--state-dir", str(state), "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, env=cli_env(tmp_path), check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (conf_dir / "nginx.conf").read_text() == "# the ConfigMap's nginx.conf\n"
    assert "book.star-hotel.example star;" in (conf_dir / "tenants.map").read_text().splitlines()
