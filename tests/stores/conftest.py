"""The ``store`` fixture: every real store, so one contract suite proves them all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from reservations.domain import NewReservation, now_utc
from reservations.settings import Settings
from reservations.stores import Registry, Store, open_registry, open_store
from tests.conftest import STORE_KINDS, TENANT_ROLE_ARN


def make_settings(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if kind == "dynamodb":
        endpoint = request.getfixturevalue("moto_endpoint")
        return Settings(
            store="dynamodb",
            dynamodb_endpoint=endpoint,
            table_prefix="test_",
            tenant_role_arn=TENANT_ROLE_ARN,
        )
    return Settings(store="sqlite", data_dir=tmp_path / "data")


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


# From the real clock, never fixed: the stores' own rules read it (a check-in may not be in the past,
# idempotency records expire), so a fixed day turns red the day it passes.
NOW = now_utc()
DAY = NOW.date() + timedelta(days=30)


def new(room: int = 101, check_in: date = DAY, nights: int = 2, guest: str = "Ada") -> NewReservation:
    return NewReservation(guest_name=guest, room_number=room, nights=nights, check_in=check_in)


@pytest.fixture
def table(store: Store, settings: Settings) -> str:
    """The customer ``star``'s table, created."""
    name = settings.table_for("star")
    store.create_table(name)
    return name
