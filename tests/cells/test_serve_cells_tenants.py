"""The ``tenants`` commands that act on one customer, over a running ``serve --cells 2`` (issue #24):
each in the customer's own cell, found through the directory; a customer being moved is refused what
the move would lose; and the stack writes the demo customer's client profile, as plain ``serve`` does.

The same commands on two cells of one moto server, without the stack, are in test_placement.py."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import httpx
import pytest

from reservations.cells.config import open_directory
from reservations.domain.parsing import today_utc
from reservations.settings import Settings
from tests.support.cells import CellStack, start_cell_stack

pytestmark = pytest.mark.slow

DAY = today_utc() + timedelta(days=30)


@pytest.fixture(scope="module")
def placed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CellStack]:
    """``star`` in cell c1 and ``moon`` in c2."""
    stack = start_cell_stack(tmp_path_factory.mktemp("cells-tenants"))
    try:
        assert stack.create("star", "--cell", "c1") == "c1"
        assert stack.create("moon", "--cell", "c2") == "c2"
        yield stack
    finally:
        stack.stop()


def refused(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    return line


def status(stack: CellStack, customer: str, key: str) -> int:
    headers = {"X-Customer": customer, "X-Api-Key": key}
    return httpx.get(f"{stack.url}/reservations", headers=headers, timeout=30).status_code


def add_stay(stack: CellStack, customer: str, guest: str, room: int) -> None:
    with stack.client(customer) as client:
        body = {"guest_name": guest, "room_number": room, "nights": 1, "check_in": DAY.isoformat()}
        assert client.post("/reservations", json=body).status_code == 201


def test_serve_cells_writes_the_demo_customers_client_profile(placed: CellStack) -> None:
    config = tomllib.loads((placed.data_dir.parent / "config" / "reservations" / "config.toml").read_text())
    profile = config["profiles"][config["default_profile"]]
    assert (profile["url"], profile["customer"], profile["api_key"]) == (
        placed.url,
        "demo",
        placed.demo_key(),
    )
    assert profile["store"] == f"cells:{placed.data_dir.resolve()}"
    listed = subprocess.run(  # the client, with no option: the profile is all it needs
        [sys.executable, "-m", "reservations", "list"],
        env=placed.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr


def test_rotate_key_and_check_act_in_the_customers_cell(placed: CellStack) -> None:
    old = placed.keys["moon"]
    rotated = placed.cli("rotate-key", "moon", "--json")
    assert rotated.returncode == 0, rotated.stderr
    answer = json.loads(rotated.stdout)
    assert answer["cell"] == "c2"
    placed.keys["moon"] = answer["api_key"]
    assert status(placed, "moon", answer["api_key"]) == 200  # checked in moon's cell, c2
    assert status(placed, "moon", old) == 401
    assert refused(placed.cli("rotate-key", "nobody")) == "reservations tenants: no customer named 'nobody'"

    checked = placed.cli("check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    cells = {report["customer"]: report["cell"] for report in json.loads(checked.stdout)}
    assert cells == {"demo": "c1", "star": "c1", "moon": "c2"}
    one = placed.cli("check", "moon")
    assert (one.returncode, one.stdout) == (0, "moon in cell c2 (moon-reservations): clean\n")
    assert "tiers are for AWS" in refused(placed.cli("set-tier", "moon", "premium"))  # local cells have none


def test_restore_brings_back_the_customers_table_within_its_cell(placed: CellStack) -> None:
    ddb: Any = boto3.client(
        "dynamodb",
        endpoint_url=placed.endpoints()["c2"],
        region_name="us-east-1",
        aws_access_key_id="cells-test",
        aws_secret_access_key="cells-test",
    )
    add_stay(placed, "moon", "Kept", 201)
    arn = ddb.create_backup(TableName="moon-reservations", BackupName="moon")["BackupDetails"]["BackupArn"]
    add_stay(placed, "moon", "After the backup", 202)
    restored = placed.cli("restore", "moon", "--from-backup", arn, "--interval", "0", "--json")
    assert restored.returncode == 0, restored.stderr
    table = json.loads(restored.stdout)["table"]
    assert table in placed.tables("c2")
    assert table not in placed.tables("c1")
    with placed.client("moon") as client:  # requests follow the switch in moon's cell
        guests = [stay["guest_name"] for stay in client.get("/reservations").json()["items"]]
    assert guests == ["Kept"]


def test_a_customer_being_moved_is_refused_until_the_move_ends(placed: CellStack) -> None:
    """A key rotated mid-move would be lost by the move's register step, which copies the old cell's
    registry entry into the new one."""
    directory = open_directory(Settings(store="sqlite", data_dir=placed.data_dir))
    try:
        directory.begin_move("star", "c2")  # a move cut short after its mark
    finally:
        directory.close()
    for args in (
        ("rotate-key", "star"),
        ("set-tier", "star", "premium"),
        ("restore", "star", "--from-backup", "arn:aws:dynamodb:us-east-1:1:table/t/backup/b"),
        ("check", "star", "--repair"),
    ):
        line = refused(placed.cli(*args))
        assert line.endswith("customer 'star' is being moved to c2; run again when the move ends"), args
    assert status(placed, "star", placed.keys["star"]) == 200  # nothing changed: reads go on
    assert placed.cli("move", "star", "--to", "c2").returncode == 0  # the move run again ends it
    rotated = placed.cli("rotate-key", "star", "--json")
    assert rotated.returncode == 0, rotated.stderr
    answer = json.loads(rotated.stdout)
    assert answer["cell"] == "c2"
    assert status(placed, "star", answer["api_key"]) == 200
