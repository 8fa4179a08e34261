"""Real nginx in front of two cells, routed by the directory (issue #24): the edge's rendered
configuration (one upstream per cell, ``cells.map``) kept by ``cells.edge_sync.DirectorySync`` from a
DynamoDB directory on moto's server over HTTP.  Each cell is a small HTTP server that says which cell
answered and what nginx sent it.  The test polls the sync itself, so "after the next poll" is a call;
only nginx's graceful reload, which follows the poll's signal, is waited for."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from reservations.cells.config import open_directory
from reservations.cells.edge_sync import DirectorySync
from reservations.domain.errors import UnavailableError
from reservations.edge.config import EdgeOptions, parse_upstream
from reservations.edge.render import CELLS_NAME, render, write
from reservations.edge.runner import check_config, find_nginx
from reservations.settings import Settings
from reservations.stores.directory import Directory
from tests.serial_moto import SerialMotoServer
from tests.support import processes
from tests.support.server import free_port, wait_healthy

pytestmark = pytest.mark.nginx

HOST = "book.moon-hotel.com"


@contextmanager
def running_cell(name: str) -> Iterator[str]:
    """A cell's API stand-in: every request answered 200 with the cell's name and what it was sent."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen = {"cell": name, "method": self.command, "path": self.path, **dict(self.headers.items())}
            payload = json.dumps(seen).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class CellsEdge:
    url: str
    directory: Directory
    sync: DirectorySync
    moto: SerialMotoServer
    cells: dict[str, str]  # cell -> its API
    sync_dir: Path  # where nginx.conf, cells.map and tenants.map are

    def send(self, method: str, x_customer: str | None = None, **headers: str) -> httpx.Response:
        """``headers``: keyword names, ``_`` for ``-`` (``X_Api_Key``)."""
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        named = {"X-Customer": x_customer} if x_customer else {}
        return httpx.request(method, f"{self.url}/reservations", headers={**named, **sent}, timeout=10)

    def cell_of(self, customer: str, method: str = "GET") -> str:
        answer = self.send(method, customer, X_Api_Key="rsv_x")
        return str(answer.json().get("cell", answer.status_code))

    def poll(self) -> bool:
        """The sync's next poll; when it changed the map, returns once nginx's reload is complete
        (every worker that had the old map is gone), so each request after it sees the new map."""
        before = self.workers()
        if not self.sync.poll():
            return False
        deadline = time.monotonic() + 20
        while (before & self.workers() or not self.workers()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not before & self.workers(), "nginx's old workers did not finish"
        return True

    def workers(self) -> set[int]:
        """nginx's worker processes: the children of the master named in its pid file."""
        master = (self.sync_dir / "nginx.pid").read_text().strip()
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == master:
                found.add(int(stat.parent.name))
        return found


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[CellsEdge]:
    """star in c1, moon in c2 with its custom domain, the map synced before nginx starts."""
    with ExitStack() as stack:
        moto_port = free_port()
        moto = SerialMotoServer(ip_address="127.0.0.1", port=moto_port)
        moto.start()
        stack.callback(moto.stop)
        endpoint = f"http://127.0.0.1:{moto_port}"
        settings = Settings(store="dynamodb", dynamodb_endpoint=endpoint, table_prefix="edge_")
        directory = open_directory(settings)
        directory.ensure_table()
        directory.place("star", "c1")
        directory.place("moon", "c2")
        directory.add_host(HOST, "moon")
        cells = {name: stack.enter_context(running_cell(name)) for name in ("c1", "c2")}
        state, port = tmp_path / "state", free_port()
        options = EdgeOptions(
            upstream=parse_upstream(cells["c1"]),
            port=port,
            web_dir=str(tmp_path),
            state_dir=str(state),
            log_dir=str(tmp_path / "logs"),
            rate="1000r/s",
            burst=1000,
            workers="1",
            user="root" if os.geteuid() == 0 else None,
            cells=tuple((name, parse_upstream(url)) for name, url in cells.items()),
        )
        (tmp_path / "logs").mkdir()
        conf = write(render(options), state)
        sync = DirectorySync(directory, state, state / "nginx.pid", tuple(cells))
        assert sync.poll()  # before nginx starts: it reads the maps when it starts
        nginx = find_nginx()
        assert check_config(nginx, state, conf).ok
        process = subprocess.Popen([str(nginx), "-p", f"{state}/", "-c", str(conf)], start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, tmp_path / "logs" / "error.log", timeout_s=20)
        stack.callback(processes.stop, process, sig=signal.SIGQUIT)
        yield CellsEdge(url, directory, sync, moto, cells, state)


def test_each_customer_reaches_its_cell_by_header_and_by_custom_host(edge: CellsEdge) -> None:
    assert edge.cell_of("star") == "c1"
    # The header is matched ignoring case and surrounding blanks, as the cells match it (http.client
    # sends a leading tab, which httpx refuses to).
    for spelling in ("MOON", "\tMoon", "  moon "):
        conn = http.client.HTTPConnection("127.0.0.1", int(edge.url.rsplit(":", 1)[1]), timeout=10)
        conn.request("GET", "/reservations", headers={"X-Customer": spelling, "X-Api-Key": "rsv_x"})
        assert json.loads(conn.getresponse().read())["cell"] == "c2", spelling
        conn.close()
    by_host = edge.send("GET", Host=HOST, X_Api_Key="rsv_x").json()
    assert (by_host["cell"], by_host["X-Customer"]) == ("c2", "moon")
    assert by_host["Host"] == edge.cells["c2"].removeprefix("http://")  # each cell is sent its own host
    claimed = edge.send("GET", "star", Host=HOST, customer="star").json()  # the domain decides
    assert (claimed["cell"], claimed["X-Customer"], "customer" in claimed) == ("c2", "moon", False)
    legacy = edge.send("POST", customer="moon", X_Api_Key="rsv_x").json()
    assert legacy["cell"] == "c2"
    assert "X-Customer" not in legacy  # the original clients' header passes through as it came
    # Naming no customer (the page, the OpenAPI document), or a name no customer can have: the first cell.
    page = httpx.get(f"{edge.url}/openapi.json").json()
    assert (page["cell"], page["path"]) == ("c1", "/openapi.json")
    assert edge.cell_of("not a name!") == "c1"


def test_a_customer_the_directory_does_not_hold_is_answered_as_a_bad_key(edge: CellsEdge) -> None:
    for key, message in (
        ({}, "missing API key: send it in the X-Api-Key header"),
        ({"X-Api-Key": "rsv_x"}, "invalid API key"),
    ):
        answer = edge.send("POST", "nobody", **key)
        assert answer.status_code == 401
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {"error": {"code": "unauthenticated", "message": message}}
        assert "Retry-After" not in answer.headers


def test_a_newly_placed_customer_is_routed_after_the_next_poll(edge: CellsEdge) -> None:
    edge.directory.place("sun", "c2")
    assert edge.send("GET", "sun").status_code == 401  # not polled yet: nginx has the last map
    assert edge.poll()
    assert edge.cell_of("sun") == "c2"
    reloads = edge.sync.reloads
    assert not edge.poll()  # the version did not move: nothing read, nginx not reloaded
    assert edge.sync.reloads == reloads


def test_the_last_map_keeps_serving_while_the_directory_is_unreachable(edge: CellsEdge) -> None:
    edge.moto.stop()  # the directory's DynamoDB is gone
    cells_map = (edge.sync_dir / CELLS_NAME).read_text()
    with pytest.raises(UnavailableError):  # the runner logs it and polls again
        edge.sync.poll()
    assert (edge.sync_dir / CELLS_NAME).read_text() == cells_map
    for method in ("GET", "POST", "PATCH"):
        assert (edge.cell_of("star", method), edge.cell_of("moon", method)) == ("c1", "c2")
    assert edge.send("GET", Host=HOST).json()["cell"] == "c2"


def test_a_moving_customers_writes_are_refused_and_its_reads_still_served(edge: CellsEdge) -> None:
    edge.directory.begin_move("moon", "c1")
    assert edge.poll()
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        refused = edge.send(method, "moon", X_Api_Key="rsv_x")
        assert refused.status_code == 503, method
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["error"]["code"] == "unavailable"
    assert edge.send("POST", Host=HOST).status_code == 503  # named by its host alike
    assert edge.cell_of("moon", "GET") == "c2"  # reads go on, from the cell it is leaving
    assert "Retry-After" not in edge.send("GET", "moon").headers
    assert edge.cell_of("star", "POST") == "c1"  # nobody else is held up
    edge.directory.finish_move("moon")
    assert edge.poll()
    assert edge.cell_of("moon", "POST") == "c1"
    assert edge.send("GET", Host=HOST).json()["cell"] == "c1"
