"""Fast variant of suite 6 (DynamoDB): throttling, 500s and a timeout injected between store and moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Gateway
from tests.proofs import faults
from tests.proofs.harness import running_gateway, settings_for


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
    assert figures.counts["faults_injected"] > 0
    assert figures.counts["duplicates"] == 0
