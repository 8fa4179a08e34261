"""Which edge ``reservations serve --cells 2`` puts in front (issue #24): the real nginx when it is
installed, routing by the directory, and the Python cell router otherwise, each saying so at start.
The rest of ``serve --cells`` (the contract, the move under load) runs through whichever it is:
nginx on this machine (``test_serve_cells.py``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reservations.settings import Settings
from tests.support.cells import CellStack, start_cell_stack
from tests.support.server import start_serve

pytestmark = pytest.mark.nginx


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CellStack]:
    started = start_cell_stack(tmp_path_factory.mktemp("cells-edge"))
    try:
        yield started
    finally:
        started.stop()


def _said(stack: CellStack) -> str:
    return stack.log_path.read_text(errors="replace")


def test_nginx_is_the_edge_and_routes_each_customer_to_its_cell(stack: CellStack) -> None:
    assert "Edge: nginx (" in _said(stack)
    assert stack.create("star", "--cell", "c1") == "c1"
    assert stack.create("lake", "--cell", "c2", "--host", "book.lake-hotel.com") == "c2"
    for customer in ("star", "lake"):
        with stack.client(customer) as client:
            assert client.put("/rooms/101", json={"name": customer}).status_code == 201
    by_host = httpx.get(
        f"{stack.url}/rooms", headers={"Host": "book.lake-hotel.com", "X-Api-Key": stack.keys["lake"]}
    )
    assert by_host.status_code == 200, by_host.text
    assert [room["name"] for room in by_host.json()["items"]] == ["lake"]
    assert "lake-reservations" in stack.tables("c2")
    assert "lake-reservations" not in stack.tables("c1")
    unknown = httpx.get(f"{stack.url}/rooms", headers={"X-Customer": "nobody"})
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "unauthenticated"
    # nginx answered them: its access log (the edge's, in the stack's logs) has each request.
    log = stack.data_dir / "cells-logs" / "edge" / "access.log"
    customers = {json.loads(line)["customer"] for line in log.read_text().splitlines()}
    assert {"star", "lake", "nobody"} <= customers


def test_without_nginx_the_python_router_routes_the_same_way(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "RESERVATIONS_NGINX": str(tmp_path / "no-nginx-here"),
    }
    log = tmp_path / "serve-cells.log"
    data_dir = tmp_path / "data"
    process, url = start_serve(env, log, "--cells", "2", "--data-dir", str(data_dir), timeout_s=120)
    stack = CellStack(url, Settings(store="sqlite", data_dir=data_dir), process, env, log)
    try:
        assert "Edge: the Python cell router (nginx not found" in log.read_text()
        assert stack.create("moon", "--cell", "c2", "--host", "book.moon-hotel.com") == "c2"
        assert stack.create("star", "--cell", "c1") == "c1"
        with stack.client("moon") as client:
            assert client.put("/rooms/7", json={}).status_code == 201
        # On moon's domain the domain names the customer, whatever X-Customer claims (as nginx).
        on_domain = {"Host": "book.moon-hotel.com", "X-Customer": "star", "X-Api-Key": stack.keys["moon"]}
        rooms = httpx.get(f"{url}/rooms", headers=on_domain)
        assert rooms.status_code == 200, rooms.text
        assert [room["room_number"] for room in rooms.json()["items"]] == [7]
        assert "moon-reservations" in stack.tables("c2")
        assert httpx.get(f"{url}/rooms", headers={"X-Customer": "nobody"}).status_code == 401
        assert not (data_dir / "cells-logs" / "edge").exists()
    finally:
        stack.stop()
