"""What the store suites build from: settings per store kind, and a reservation a month ahead."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from reservations.domain.parsing import now_utc
from reservations.domain.reservation import NewReservation
from reservations.settings import Settings
from tests.support.settings import TENANT_ROLE_ARN


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


# From the real clock, never fixed: the stores' own rules read it (a check-in may not be in the past,
# idempotency records expire), so a fixed day turns red the day it passes.
NOW = now_utc()
DAY = NOW.date() + timedelta(days=30)


def new(room: int = 101, check_in: date = DAY, nights: int = 2, guest: str = "Ada") -> NewReservation:
    return NewReservation(guest_name=guest, room_number=room, nights=nights, check_in=check_in)
