"""A real local gateway (``reservations serve``) per test process, and the clients that drive it.

The gateway runs as a subprocess on a free port with a temporary data dir and a temporary
``XDG_CONFIG_HOME``, so the profile ``serve`` writes on first start is the one the clients read:
the README's path (``make run``, then ``reservations menu``) without editing a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reservations.cells.config import open_directory
from reservations.client import ReservationsClient
from reservations.client.config import DEFAULT_PROFILE, Profile, load_profile, save_profile
from reservations.settings import Settings
from tests.client.proxy import Proxy
from tests.support import processes
from tests.support.cells import demo_key, misplaced_data
from tests.support.client import Gateway, client_env
from tests.support.server import start_serve


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    root = tmp_path_factory.mktemp("gateway")
    data_dir, config_home, log = root / "data", root / "config", root / "serve.log"
    process, url = start_serve(client_env(config_home), log, "--data-dir", str(data_dir), timeout_s=60)
    try:
        demo = load_profile("local", path=config_home / "reservations" / "config.toml")
        yield Gateway(url=url, data_dir=data_dir, config_home=config_home, demo=demo, log=log)
    finally:
        processes.stop(process, timeout_s=10)


@pytest.fixture(scope="session")
def cells_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """``serve --cells 2`` (issue #24): ``demo``, which the stack places, in cell c1 and ``acme`` in c2,
    the clients knowing one URL.  The demo's profile is written here from the key the stack printed
    (``serve --cells`` writes none).  Afterwards each customer's table is in its own cell only."""
    root = tmp_path_factory.mktemp("cells-gateway")
    data_dir, config_home, log = root / "data", root / "config", root / "serve.log"
    env = client_env(config_home)
    process, url = start_serve(env, log, "--cells", "2", "--data-dir", str(data_dir), timeout_s=120)
    try:
        demo = Profile(url=url, customer="demo", api_key=demo_key(log))
        save_profile(DEFAULT_PROFILE, demo, path=config_home / "reservations" / "config.toml")
        running = Gateway(url=url, data_dir=data_dir, config_home=config_home, demo=demo, log=log)
        running.tenant("acme")
        homes = _placements(data_dir)
        assert homes == {"demo": "c1", "acme": "c2"}
        yield running
        assert misplaced_data(data_dir, homes) == []
    finally:
        processes.stop(process, timeout_s=30)


def _placements(data_dir: Path) -> dict[str, str]:
    directory = open_directory(Settings(store="sqlite", data_dir=data_dir))
    try:
        return {p.customer: p.cell for p in directory.placements()}
    finally:
        directory.close()


@pytest.fixture
def acme(gateway: Gateway) -> Profile:
    """A second customer, made with the real ``tenants create`` command (once per gateway)."""
    return gateway.tenant("acme")


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
