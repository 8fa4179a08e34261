"""Every real store with its registry, and customer ``star`` in them, for the sync's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reservations.settings import Settings
from reservations.stores import Registry, Store, open_registry, open_store
from reservations.tenants import Tenants
from tests.conftest import STORE_KINDS, TENANT_ROLE_ARN


@pytest.fixture(params=STORE_KINDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "dynamodb":
        endpoint = request.getfixturevalue("moto_endpoint")
        return Settings(
            store="dynamodb",
            dynamodb_endpoint=endpoint,
            table_prefix="test_",
            tenant_role_arn=TENANT_ROLE_ARN,
        )
    return Settings(store="sqlite", data_dir=tmp_path / "data")


@pytest.fixture
def opened(settings: Settings) -> Iterator[tuple[Store, Registry]]:
    store, registry = open_store(settings), open_registry(settings)
    ensure = getattr(registry, "ensure_table", None)
    if ensure is not None:
        ensure()
    try:
        Tenants(registry, store, settings).create("star")
        yield store, registry
    finally:
        store.close()
        registry.close()
