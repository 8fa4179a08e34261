"""The EKS edge in front of cells (``modules/edge`` with ``cells``), rendered by Terraform's own
``templatefile()`` from the generated cells template and served by real nginx, unprivileged as in the
pod, its maps written as the pod's init container writes them (``reservations edge sync --cells
--once --conf-from``, from a SQLite directory here): ``nginx -t`` passes, and two customers reach two
stand-in cells (one TLS stand-in answering both cells' API Gateway names, through a stand-in DNS).
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reservations.cells.config import open_directory
from reservations.edge.eks import CELLS_TERRAFORM_TEMPLATE, EksValues
from reservations.edge.render import CELLS_NAME
from reservations.edge.runner import check_config, find_nginx
from reservations.settings import Settings
from tests.edge.fake_api import FakeApiGateway, TinyDns, running_api_gateway
from tests.support.edge import RESERVATIONS, cli_env
from tests.support.processes import stop
from tests.support.server import free_port, wait_healthy
from tests.terraform.console import templatefile

pytestmark = pytest.mark.nginx

HOSTS = {
    "c1": "c1stage01.execute-api.eu-west-1.amazonaws.com",
    "c2": "c2stage02.execute-api.us-east-1.amazonaws.com",
}
PLACED = {"star": "c1", "moon": "c2"}
CUSTOM_HOST = "book.moon-hotel.example"
EDGE_HEADER_CONF = 'proxy_set_header x-reservations-edge "edge-secret-0123456789abcdef0123456789abcdef";\n'


@pytest.fixture
def pod() -> Iterator[Path]:
    """The pod's files in small, under /tmp and readable by the unprivileged user nginx runs as."""
    base = Path(tempfile.mkdtemp(prefix="edge-eks-cells-"))
    try:
        base.chmod(0o755)
        for name in ("secret", "pki", "config-map", "conf", "state"):
            (base / name).mkdir(mode=0o755)
        (base / "secret" / "edge-header.conf").write_text(EDGE_HEADER_CONF)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def cells_api(pod: Path) -> Iterator[FakeApiGateway]:
    with running_api_gateway(pod / "pki", tuple(HOSTS.values())) as fake:
        yield fake


def render(pod: Path, api: FakeApiGateway, dns: TinyDns, cells: dict[str, str]) -> EksValues:
    """nginx.conf as Terraform renders it for these cells, with tenants.map and the sync's cells.map."""
    values = EksValues(
        upstream_host=HOSTS["c1"],
        upstream_port=api.port,
        upstream_path="/prod",
        rate_limit_per_sec=1000,
        rate_limit_burst=1000,
        listen_port=free_port(),
        redirect_port=free_port(),
        resolver=dns.address,
        ca_bundle=str(api.ca_file),
        edge_header_path=str(pod / "secret" / "edge-header.conf"),
        state_dir=str(pod / "state"),
        web_root="/nonexistent",
    )
    conf = templatefile(CELLS_TERRAFORM_TEMPLATE, {**dataclasses.asdict(values), "cells": cells})
    (pod / "config-map" / "nginx.conf").write_text(conf)
    init_container(pod, ",".join(cells))
    for path in pod.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return values


def init_container(pod: Path, cells: str) -> subprocess.CompletedProcess[str]:
    """The pod's init container in cells mode, on a directory placing star in c1 and moon in c2."""
    data = pod / "data"
    if not data.exists():
        data.mkdir()
        directory = open_directory(Settings(store="sqlite", data_dir=data))
        directory.ensure_table()
        for customer, cell in PLACED.items():
            directory.place(customer, cell)
        directory.add_host(CUSTOM_HOST, "moon")
        directory.close()
    return subprocess.run(
        [*RESERVATIONS, "edge", "sync", "--cells", cells, "--once",
         "--conf-from", str(pod / "config-map" / "nginx.conf"), "--conf-dir", str(pod / "conf"),
         "--state-dir", str(pod / "state"), "--store", "sqlite", "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60, env=cli_env(pod), check=False,
    )  # fmt: skip


def test_the_init_container_writes_the_directorys_maps(pod: Path) -> None:
    (pod / "config-map" / "nginx.conf").write_text("# the ConfigMap's nginx.conf\n")
    done = init_container(pod, "c1,c2")
    assert done.returncode == 0, done.stderr
    assert (pod / "conf" / "nginx.conf").read_text() == "# the ConfigMap's nginx.conf\n"
    placed = (pod / "conf" / CELLS_NAME).read_text().splitlines()
    assert "star cell_c1;" in placed
    assert "moon cell_c2;" in placed
    assert f"{CUSTOM_HOST} moon;" in (pod / "conf" / "tenants.map").read_text().splitlines()
    # Only the cells nginx.conf has upstreams for: a customer elsewhere is left out.
    assert init_container(pod, "c1").returncode == 0
    assert "moon cell_c2;" not in (pod / "conf" / CELLS_NAME).read_text()
    for bad in ("c1,C2", "c1,c1", ""):
        refused = init_container(pod, bad)
        assert refused.returncode == 2
        assert refused.stderr.strip().count("\n") == 0
        assert "--cells" in refused.stderr


def test_the_cells_configuration_passes_nginx_t(pod: Path, cells_api: FakeApiGateway, dns: TinyDns) -> None:
    render(pod, cells_api, dns, HOSTS)
    result = check_config(find_nginx(), pod / "state", pod / "conf" / "nginx.conf")
    assert result.ok, result.output
    # The check can fail: nginx.conf includes the cells.map the sync writes.
    (pod / "conf" / CELLS_NAME).unlink()
    refused = check_config(find_nginx(), pod / "state", pod / "conf" / "nginx.conf")
    assert not refused.ok
    assert CELLS_NAME in refused.output


def test_two_customers_reach_their_two_cells(pod: Path, cells_api: FakeApiGateway, dns: TinyDns) -> None:
    values = render(pod, cells_api, dns, HOSTS)
    state, log = pod / "state", pod / "state" / "stdout.log"
    log.touch()
    user: dict[str, object] = {}
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for owned in (state, log):
            os.chown(owned, nobody.pw_uid, nobody.pw_gid)
        user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    command = [str(find_nginx()), "-p", f"{state}/", "-c", str(pod / "conf" / "nginx.conf")]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, **user)  # type: ignore[call-overload]
    url = f"http://127.0.0.1:{values.listen_port}"
    try:
        wait_healthy(url, process, log, timeout_s=20)
        for customer, path in (("star", "/api/reservations?limit=5"), ("moon", "/reservations?limit=5")):
            response = httpx.get(f"{url}{path}", headers={"X-Customer": customer, "X-Api-Key": "k"})
            assert response.status_code == 200, response.text
            seen, host = cells_api.seen[-1], HOSTS[PLACED[customer]]
            assert seen["path"] == "/prod/reservations?limit=5"
            assert seen["headers"]["Host"] == host
            assert seen["headers"]["x-reservations-edge"].startswith("edge-secret-")
            assert cells_api.sni[-1] == host
        by_host = httpx.get(f"{url}/reservations", headers={"Host": CUSTOM_HOST, "X-Api-Key": "k"})
        assert by_host.status_code == 200, by_host.text
        assert cells_api.seen[-1]["headers"]["Host"] == HOSTS["c2"]
        assert cells_api.seen[-1]["headers"]["X-Customer"] == "moon"
        unknown = httpx.get(f"{url}/reservations", headers={"X-Customer": "nobody-here", "X-Api-Key": "k"})
        assert unknown.status_code == 401
        assert unknown.json()["error"]["code"] == "unauthenticated"
    finally:
        stop(process, sig=signal.SIGQUIT)
