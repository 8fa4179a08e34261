"""Real nginx in front of cells whose APIs are https URLs, as in AWS (each cell's API Gateway stage):
each customer's request reaches its cell's host name over verified TLS, with that cell's SNI and
Host, and a cell whose certificate does not carry its name is refused, not proxied.

One HTTPS server on loopback plays every cell's API Gateway (a throw-away CA's certificate for two
of the three names); a local DNS server points the three names at it."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reservations.edge.config import EdgeOptions, parse_upstream
from reservations.edge.render import CELLS_NAME, render, render_cells_map, write
from reservations.edge.runner import check_config, find_nginx
from tests.edge.fake_api import FakeApiGateway, TinyDns, running_api_gateway
from tests.support import processes
from tests.support.server import free_port, wait_healthy

pytestmark = pytest.mark.nginx

HOSTS = {
    "c1": "c1stage01.execute-api.eu-west-1.amazonaws.com",
    "c2": "c2stage02.execute-api.us-east-1.amazonaws.com",
    "c3": "c3stage03.execute-api.us-east-1.amazonaws.com",  # not in the certificate
}
PLACED = {"star": "c1", "moon": "c2", "sun": "c3"}


@pytest.fixture
def cells_api(tmp_path: Path) -> Iterator[FakeApiGateway]:
    pki = tmp_path / "pki"
    pki.mkdir()
    with running_api_gateway(pki, (HOSTS["c1"], HOSTS["c2"])) as fake:
        yield fake


@pytest.fixture
def edge_url(cells_api: FakeApiGateway, dns: TinyDns, tmp_path: Path) -> Iterator[str]:
    cells = tuple(
        (name, parse_upstream(f"https://{host}:{cells_api.port}/prod")) for name, host in HOSTS.items()
    )
    state, logs, port = tmp_path / "state", tmp_path / "logs", free_port()
    logs.mkdir()
    options = EdgeOptions(
        upstream=cells[0][1],
        port=port,
        web_dir=str(tmp_path),
        state_dir=str(state),
        log_dir=str(logs),
        resolver=dns.address,
        ca_bundle=str(cells_api.ca_file),
        workers="1",
        user="root" if os.geteuid() == 0 else None,
        cells=cells,
    )
    conf = write(render(options), state)
    (state / CELLS_NAME).write_text(render_cells_map(PLACED, frozenset(), tuple(HOSTS)))
    nginx = find_nginx()
    assert check_config(nginx, state, conf).ok
    process = subprocess.Popen([str(nginx), "-p", f"{state}/", "-c", str(conf)], start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, logs / "error.log", timeout_s=20)
        yield url
    finally:
        processes.stop(process, sig=signal.SIGQUIT)


def test_each_customer_reaches_its_cells_https_api_with_its_name_and_host(
    cells_api: FakeApiGateway, dns: TinyDns, edge_url: str
) -> None:
    for customer, path in (("star", "/api/reservations?limit=5"), ("moon", "/reservations?limit=5")):
        response = httpx.get(f"{edge_url}{path}", headers={"X-Customer": customer, "X-Api-Key": "k"})
        assert response.status_code == 200, response.text
        seen, host = cells_api.seen[-1], HOSTS[PLACED[customer]]
        assert seen["path"] == "/prod/reservations?limit=5"  # the stage, under /api/ or at the root
        assert seen["headers"]["Host"] == f"{host}:{cells_api.port}"
        assert seen["headers"]["X-Customer"] == customer
        assert cells_api.sni[-1] == host
        assert host in dns.asked


def test_a_cell_whose_certificate_does_not_carry_its_name_is_refused_with_json_502(
    cells_api: FakeApiGateway, edge_url: str, tmp_path: Path
) -> None:
    before = len(cells_api.seen)
    for path in ("/reservations", "/api/reservations"):
        response = httpx.get(f"{edge_url}{path}", headers={"X-Customer": "sun", "X-Api-Key": "k"})
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "bad_gateway"
    assert len(cells_api.seen) == before  # nothing reached the cell
    assert "certificate" in (tmp_path / "logs" / "error.log").read_text()
