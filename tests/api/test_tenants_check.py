"""``reservations tenants check`` as an operator runs it, on each store: damage found and named,
``--repair`` leaving a table that passes, exit 0 only when clean, refusals in one line."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.stores.protocols import Store
from reservations.tenants.admin import Tenants
from tests.stores import damage_kit as kit
from tests.support.settings import STORE_KINDS, store_settings
from tests.support.stores import DAY, NOW, new


@pytest.fixture(params=STORE_KINDS)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, Store]]:
    """Customers ``inn`` (one stay, then damaged) and ``spa`` (one stay), made as the CLI makes them."""
    settings = dataclasses.replace(store_settings(request.param, tmp_path, request), tenant_role_arn=None)
    registry, store = open_registry(settings), open_store(settings)
    ensure = getattr(registry, "ensure_table", None)
    if ensure is not None:
        ensure()
    tenants = Tenants(registry, store, settings)
    for name in ("inn", "spa"):
        table = tenants.create(name).customer.table
        store.add(table, new(room=1, check_in=DAY, nights=2), created_at=NOW)
    try:
        yield settings, store
    finally:
        registry.close()
        store.close()


def check(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reservations", "tenants", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **settings.to_env()},
    )


@pytest.mark.slow
def test_check_names_the_damage_and_repair_leaves_a_table_that_passes(site: tuple[Settings, Store]):
    settings, store = site
    inn = settings.table_for("inn")
    kit.hold_night(store, inn, 7, DAY, 999)  # a night held by a reservation that does not exist
    kit.free_night(store, inn, 1, DAY)  # a stay's night missing

    everyone = check(settings)
    assert everyone.returncode == 1, everyone.stderr
    assert "inn (" in everyone.stdout
    assert "orphaned_night: room 7 on" in everyone.stdout
    assert "missing_night: reservation 1 covers room 1" in everyone.stdout
    assert f"spa ({settings.table_for('spa')}): clean" in everyone.stdout

    clean = check(settings, "spa")
    assert (clean.returncode, clean.stderr) == (0, "")

    reported = check(settings, "inn", "--json")
    assert reported.returncode == 1
    (report,) = json.loads(reported.stdout)
    assert report["customer"] == "inn"
    assert sorted(p["kind"] for p in report["problems"]) == ["missing_night", "orphaned_night"]
    assert all(p["repairable"] for p in report["problems"])
    assert check(settings, "inn", "--json").stdout == reported.stdout  # a check changes nothing

    repaired = check(settings, "inn", "--repair")
    assert repaired.returncode == 1  # problems were found (and repaired)
    assert "[repaired]" in repaired.stdout
    assert "after the repair: clean" in repaired.stdout
    after = check(settings, "inn")
    assert (after.returncode, after.stdout.strip()) == (0, f"inn ({inn}): clean")


@pytest.mark.slow
def test_a_collision_needs_a_person_and_names_both_parties(site: tuple[Settings, Store]):
    settings, store = site
    inn = settings.table_for("inn")
    spent = store.add(inn, new(room=9), created_at=NOW).reservation
    store.delete(inn, spent.reservation_id)
    first = store.get(inn, 1)
    assert first is not None
    intruder = dataclasses.replace(first, reservation_id=spent.reservation_id, guest_name="Cy")
    kit.stay_without_nights(store, inn, intruder)

    repaired = check(settings, "inn", "--repair", "--json")
    assert repaired.returncode == 1
    (report,) = json.loads(repaired.stdout)
    assert [(p["kind"], p["reservation_id"], p["other_id"]) for p in report["remaining"]] == [
        ("night_collision", spent.reservation_id, 1),
        ("night_collision", spent.reservation_id, 1),
    ]
    assert report["repaired"] == []


@pytest.mark.slow
def test_an_unknown_customer_is_one_line_and_nothing_is_checked(site: tuple[Settings, Store]):
    settings, _ = site
    result = check(settings, "spa", "nobody", "--repair")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "reservations tenants check: no customer named 'nobody'"
