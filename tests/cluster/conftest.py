"""Fixtures of the scheduler tests: moto-backed AWS clients and the fake Terraform Cloud."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reservations.cluster.runner import TOKENS, Clients
from tests.cluster.fake_tfc import FakeTerraformCloud


@pytest.fixture
def aws(moto_endpoint: str) -> Clients:
    return Clients(endpoint_url=moto_endpoint, region="us-east-1")


@pytest.fixture
def tfc() -> Iterator[FakeTerraformCloud]:
    fake = FakeTerraformCloud().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(autouse=True)
def _forget_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()
