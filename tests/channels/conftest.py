"""Every real store with its registry, and customer ``star`` in them, for the sync's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.stores.protocols import Registry, Store
from reservations.tenants.admin import Tenants
from tests.support.settings import STORE_KINDS, store_settings


@pytest.fixture(params=STORE_KINDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return store_settings(request.param, tmp_path, request)


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
