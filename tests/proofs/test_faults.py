"""Fast variant of suite 6 (DynamoDB): throttling, 500s and a timeout injected between store and moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.proofs import faults
from tests.proofs.harness import running_gateway, settings_for
from tests.support.server import Gateway

# A proof (faults injected between the store and moto): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture
def behind_proxy(moto_server: str, tmp_path: Path) -> Iterator[tuple[Gateway, faults.FaultProxy, str]]:
    with faults.fault_proxy(moto_server) as proxy:
        settings = settings_for("dynamodb", tmp_path, proxy.url)
        with running_gateway(settings, tmp_path, ["fault"]) as gateway:
            yield gateway, proxy, settings.table_for("fault")


def test_faults_are_retried_exhaustion_is_503_and_client_retries_create_once(
    behind_proxy: tuple[Gateway, faults.FaultProxy, str],
):
    gateway, proxy, table = behind_proxy
    figures = faults.run(gateway.url, proxy, gateway.headers("fault"), table, adds=4, rate=0.3, timeouts=1)
    assert figures.failures == []
    assert figures.counts["exhausted_503_with_retry_after"] == 2
    assert figures.counts["timeouts_injected"] == 3  # before moto, after moto (add), after moto (delete)
    assert figures.counts["faults_injected"] > 0
    assert figures.counts["duplicates"] == 0


def test_a_throttled_registry_is_503_with_retry_after_not_500(
    behind_proxy: tuple[Gateway, faults.FaultProxy, str],
):
    # Found by the fault suite: the authorizer's registry read, throttled past botocore's retries,
    # made the gateway answer 500 "the authorizer failed"; nothing is wrong but the moment.
    gateway, proxy, _ = behind_proxy
    proxy.set(faults.Plan(target=gateway.settings.registry_table_name.encode(), rate=1.0))
    response = httpx.get(f"{gateway.url}/reservations", headers=gateway.headers("fault"), timeout=60)
    proxy.set(faults.Plan())
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "unavailable"
    assert response.headers["retry-after"] == "1"
    assert sum(proxy.plan.injected.values()) == 0  # the new plan; the old one is gone
    assert (
        httpx.get(f"{gateway.url}/reservations", headers=gateway.headers("fault"), timeout=60).status_code
        == 200
    )
