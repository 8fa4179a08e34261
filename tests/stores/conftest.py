"""The ``store`` fixture: every real store, so one contract suite proves them all (the data and
settings it is built from: tests/support/stores.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.stores.protocols import Registry, Store
from tests.support.settings import STORE_KINDS
from tests.support.stores import make_settings


@pytest.fixture(params=STORE_KINDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return make_settings(request.param, tmp_path, request)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    opened = open_registry(settings)
    ensure = getattr(opened, "ensure_table", None)
    if ensure is not None:
        ensure()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def table(store: Store, settings: Settings) -> str:
    """The customer ``star``'s table, created."""
    name = settings.table_for("star")
    store.create_table(name)
    return name
