"""The ``store`` fixture: every real store, so one contract suite proves them all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reservations.domain import NewReservation
from reservations.settings import Settings
from reservations.stores import Registry, Store, open_registry, open_store
from tests.conftest import STORE_KINDS, TENANT_ROLE_ARN


def make_settings(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if kind == "dynamodb":
        endpoint = request.getfixturevalue("moto_endpoint")
        return Settings(
            store="dynamodb",
            dynamodb_endpoint=endpoint,
            table_prefix="test-",
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


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = datetime.now(UTC).date() + timedelta(days=30)  # bookable whenever the suite runs


def new(room: int = 101, check_in: date = DAY, nights: int = 2, guest: str = "Ada") -> NewReservation:
    return NewReservation(guest_name=guest, room_number=room, nights=nights, check_in=check_in)


@pytest.fixture
def table(store: Store, settings: Settings) -> str:
    """The customer ``star``'s table, created."""
    name = settings.table_for("star")
    store.create_table(name)
    return name
