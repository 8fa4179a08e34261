"""``reservations serve`` runs the channel sync on its own schedule (here every half second)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from reservations.channels.schedule import INTERVAL_ENV, interval_s
from reservations.domain.parsing import today_utc
from reservations.settings import Settings
from tests.support.server import start_gateway


def test_the_interval_is_fifteen_minutes_unless_told() -> None:
    assert interval_s({}) == 900
    assert interval_s({INTERVAL_ENV: "0"}) == 0
    assert interval_s({INTERVAL_ENV: "soon"}) == 900


def test_serve_syncs_the_imported_calendars_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INTERVAL_ENV, "0.5")
    gateway = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "data"), tmp_path)
    try:
        gateway.create_customer("star")
        gateway.create_customer("moon")
        with (
            httpx.Client(base_url=gateway.url, headers=gateway.headers("star"), timeout=10) as star,
            httpx.Client(base_url=gateway.url, headers=gateway.headers("moon"), timeout=10) as moon,
        ):
            star.put("/rooms/101")
            check_in = (today_utc() + timedelta(days=10)).isoformat()
            booked = {"guest_name": "Ada", "room_number": 101, "nights": 2, "check_in": check_in}
            assert star.post("/reservations", json=booked).status_code == 201
            url = star.get("/rooms").json()["items"][0]["calendar_url"]
            assert moon.put("/rooms/201", json={"import_calendars": [url]}).status_code == 201
            deadline = time.monotonic() + 60  # a wait for the schedule, not a timed assertion
            while not moon.get("/rooms/201/sync").json()["blocks"]:
                assert time.monotonic() < deadline, "no scheduled sync ran"
                time.sleep(0.2)
            [block] = moon.get("/rooms/201/sync").json()["blocks"]
            assert block["check_in"] == check_in
    finally:
        gateway.stop()
