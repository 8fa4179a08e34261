"""The EKS edge in front of cells (``modules/edge`` with ``cells``), rendered by Terraform's own
``templatefile()`` from the generated cells template and served by real nginx, unprivileged as in the
pod: ``nginx -t`` passes with the cells.map the directory sync writes, and two customers reach two
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

from reservations.edge.eks import CELLS_TERRAFORM_TEMPLATE, EksValues
from reservations.edge.render import CELLS_NAME, TENANTS_NAME, render_cells_map
from reservations.edge.runner import check_config, find_nginx
from tests.edge.fake_api import FakeApiGateway, TinyDns, running_api_gateway
from tests.support.processes import stop
from tests.support.server import free_port, wait_healthy
from tests.terraform.console import templatefile

pytestmark = pytest.mark.nginx

HOSTS = {
    "c1": "c1stage01.execute-api.eu-west-1.amazonaws.com",
    "c2": "c2stage02.execute-api.us-east-1.amazonaws.com",
}
PLACED = {"star": "c1", "moon": "c2"}
EDGE_HEADER_CONF = 'proxy_set_header x-reservations-edge "edge-secret-0123456789abcdef0123456789abcdef";\n'


@pytest.fixture
def pod() -> Iterator[Path]:
    """The pod's files in small, under /tmp and readable by the unprivileged user nginx runs as."""
    base = Path(tempfile.mkdtemp(prefix="edge-eks-cells-"))
    try:
        base.chmod(0o755)
        for name in ("secret", "pki", "conf", "state"):
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
    (pod / "conf" / "nginx.conf").write_text(conf)
    (pod / "conf" / TENANTS_NAME).write_text("")
    (pod / "conf" / CELLS_NAME).write_text(render_cells_map(PLACED, frozenset(), tuple(cells)))
    for path in pod.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return values


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
        unknown = httpx.get(f"{url}/reservations", headers={"X-Customer": "nobody-here", "X-Api-Key": "k"})
        assert unknown.status_code == 401
        assert unknown.json()["error"]["code"] == "unauthenticated"
    finally:
        stop(process, sig=signal.SIGQUIT)
