"""Placement (issue #24): the least full cell with room, or a named one; onboarding writes the
directory last, so a run killed before it leaves the customer unplaced and a rerun finishes it.

The cells are two prefixes on one moto server (their tables and registries apart, as two accounts'
would be); the directory is a SQLite file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner, Result

from reservations.cells.config import Cells, load_cells, open_directory, save_cells
from reservations.cells.moving import Mover
from reservations.cells.placement import CellTenants, choose_cell
from reservations.cli import app
from reservations.domain.errors import NotFoundError, UnauthenticatedError, ValidationError
from reservations.settings import Settings
from reservations.stores import open_store
from reservations.stores.directory import Directory, Placement
from reservations.tenants.auth import authorize
from tests.stores import damage_kit as kit
from tests.support.cells import cells_of, registry_in
from tests.support.stores import DAY


def placed(**cells: list[str]) -> list[Placement]:
    return [Placement(customer, cell) for cell, customers in cells.items() for customer in customers]


def test_the_least_full_cell_with_room_is_chosen() -> None:
    cells = cells_of(4, 4, 2)
    assert choose_cell(cells, []).name == "c1"  # a tie goes to the first
    assert choose_cell(cells, placed(c1=["a"])).name == "c2"
    assert choose_cell(cells, placed(c1=["a"], c2=["b"])).name == "c3"
    assert choose_cell(cells, placed(c1=["a"], c2=["b"], c3=["c"])).name == "c1"  # c3 is half full at one
    assert choose_cell(cells, placed(c1=list("abcd"), c2=list("efg"), c3=["h"])).name == "c3"
    assert choose_cell(cells, placed(c1=list("abc"), c2=list("efg"), c3=["h", "i"])).name == "c1"  # c3 full
    with pytest.raises(ValidationError, match="every cell is full"):
        choose_cell(cells, placed(c1=list("abcd"), c2=list("efgh"), c3=list("ij")))


def test_a_named_cell_is_chosen_while_it_has_room() -> None:
    cells = cells_of(1, 3)
    assert choose_cell(cells, [], "c1").name == "c1"
    with pytest.raises(ValidationError, match="'c1' is full"):
        choose_cell(cells, placed(c1=["a"]), "c1")
    with pytest.raises(ValidationError, match="no cell named 'c9'"):
        choose_cell(cells, [], "c9")


def test_a_customer_moving_counts_in_both_cells() -> None:
    cells = cells_of(1, 1)
    with pytest.raises(ValidationError, match="every cell is full"):
        choose_cell(cells, [Placement("a", "c1", moving_to="c2")])


class Crash(Exception):
    pass


@pytest.fixture
def two_cells(moto_endpoint: str) -> Cells:
    return cells_of(5, 5, endpoint=moto_endpoint)


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[Directory]:
    opened = open_directory(Settings(store="sqlite", data_dir=tmp_path))
    opened.ensure_table()
    yield opened
    opened.close()


def test_customers_are_spread_and_a_named_cell_is_kept(two_cells: Cells, directory: Directory) -> None:
    tenants = CellTenants(two_cells, directory)
    assert tenants.create("star")[1].name == "c1"
    assert tenants.create("moon")[1].name == "c2"
    assert tenants.create("sun", cell="c2")[1].name == "c2"
    assert {p.customer: p.cell for p in directory.placements()} == {"star": "c1", "moon": "c2", "sun": "c2"}
    # Each customer is registered in its own cell only.
    assert [c.name for c in registry_in(two_cells.get("c2")).list_customers()] == ["moon", "sun"]
    with pytest.raises(ValidationError, match="already exists"):
        tenants.create("star", cell="c2")


def test_a_create_killed_before_the_directory_is_finished_by_a_rerun(
    two_cells: Cells, directory: Directory
) -> None:
    def crash_after_the_cell(step: str) -> None:
        if step == "cell":
            raise Crash

    with pytest.raises(Crash):
        CellTenants(two_cells, directory, after_step=crash_after_the_cell).create("star", cell="c2")
    assert directory.placement("star") is None  # unplaced: no edge routes to it
    registry = registry_in(two_cells.get("c2"))
    assert registry.get_customer("star") is not None

    with pytest.raises(ValidationError, match="begun in cell 'c2'"):
        CellTenants(two_cells, directory).create("star", cell="c1")
    created, cell = CellTenants(two_cells, directory).create("star")
    assert cell.name == "c2"
    assert directory.placement("star") == Placement("star", "c2")
    assert authorize(registry, "star", created.api_key).name == "star"  # the new key works
    assert len(registry.list_keys("star")) == 1  # the killed run's key, never shown, is gone
    assert registry_in(two_cells.get("c1")).get_customer("star") is None


def test_delete_unplaces_first_then_removes_from_the_cell(two_cells: Cells, directory: Directory) -> None:
    tenants = CellTenants(two_cells, directory)
    created, _ = tenants.create("star", cell="c1")
    registry = registry_in(two_cells.get("c1"))
    tenants.delete("star")
    assert directory.placement("star") is None
    assert registry.get_customer("star") is None
    with pytest.raises(UnauthenticatedError):
        authorize(registry, "star", created.api_key)
    with pytest.raises(NotFoundError):
        tenants.delete("star")


def test_a_malformed_cells_file_is_one_clear_refusal(tmp_path: Path) -> None:
    (tmp_path / "cells.json").write_text('{"cells": [{"name": "c1"}]}')
    with pytest.raises(ValidationError, match="is not a cells file"):
        load_cells(tmp_path)
    assert load_cells(tmp_path / "elsewhere") is None


def test_the_listing_reads_every_cells_registry_and_hosts_go_to_the_directory(
    two_cells: Cells, directory: Directory
) -> None:
    """``tenants list`` and ``tenants hosts`` with cells (the CLI over a running stack is in
    test_serve_cells.py)."""

    def crash_after_the_cell(step: str) -> None:
        if step == "cell":
            raise Crash

    tenants = CellTenants(two_cells, directory)
    tenants.create("star", cell="c1")
    tenants.create("moon", cell="c2")
    with pytest.raises(Crash):
        CellTenants(two_cells, directory, after_step=crash_after_the_cell).create("sun", cell="c2")
    listed = [
        (row.cell, row.customer.name, row.customer.table, row.routed, len(row.keys))
        for row in tenants.registered()
    ]
    assert listed == [
        ("c1", "star", "c1_star-reservations", True, 1),
        ("c2", "moon", "c2_moon-reservations", True, 1),
        ("c2", "sun", "c2_sun-reservations", False, 1),  # a create cut short: in its cell, not routed
    ]

    assert tenants.add_hosts("moon", ["Book.Moon-Hotel.com.", "book.moon-hotel.com"]) == {
        "book.moon-hotel.com": True
    }
    assert tenants.add_hosts("moon", ["book.moon-hotel.com"]) == {"book.moon-hotel.com": False}
    version = directory.version()
    with pytest.raises(ValidationError, match="belongs to customer 'moon'"):
        tenants.add_hosts("star", ["book.star-hotel.com", "book.moon-hotel.com"])
    with pytest.raises(NotFoundError, match="no customer named 'sun'"):  # not placed: nothing routes to it
        tenants.add_hosts("sun", ["book.sun-hotel.com"])
    with pytest.raises(ValidationError, match="not a fully qualified host name"):
        tenants.add_hosts("star", ["book.star-hotel.com", "localhost"])
    with pytest.raises(NotFoundError, match=r"no customer has host 'book\.star-hotel\.com'"):
        tenants.remove_hosts(["book.moon-hotel.com", "book.star-hotel.com"])
    assert directory.version() == version  # each refusal checked everything before writing anything
    assert directory.hosts() == {"book.moon-hotel.com": "moon"}
    for cell in two_cells.cells:  # the directory is the one place a host is mapped with cells
        assert registry_in(cell).list_hosts() == {}
    assert tenants.remove_hosts(["BOOK.moon-hotel.com"]) == {"book.moon-hotel.com": "moon"}
    assert directory.hosts() == {}


def tenants_cli(data_dir: Path, *args: str) -> Result:
    """``reservations tenants ...`` on the data folder of a cells run (its cells file and directory)."""
    return CliRunner().invoke(app, ["tenants", *args, "--data-dir", str(data_dir)])


def one_line(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.fixture
def running(two_cells: Cells, directory: Directory, tmp_path: Path) -> CellTenants:
    """``star`` in c1 and ``moon`` in c2, with the cells file ``serve --cells`` writes beside the
    directory (the ``tenants`` commands find the cells through it)."""
    save_cells(tmp_path, two_cells)
    tenants = CellTenants(two_cells, directory)
    tenants.create("star", cell="c1")
    tenants.create("moon", cell="c2")
    return tenants


def test_rotate_key_issues_the_key_in_the_customers_cell(
    running: CellTenants, two_cells: Cells, tmp_path: Path
) -> None:
    rotated = tenants_cli(tmp_path, "rotate-key", "MOON", "--json")
    assert rotated.exit_code == 0, rotated.output
    answer = json.loads(rotated.stdout)
    assert (answer["customer"], answer["cell"]) == ("moon", "c2")
    moon_cell = registry_in(two_cells.get("c2"))
    assert authorize(moon_cell, "moon", answer["api_key"]).name == "moon"
    assert len(moon_cell.list_keys("moon")) == 1  # the old key revoked
    assert registry_in(two_cells.get("c1")).get_customer("moon") is None
    assert one_line(tenants_cli(tmp_path, "rotate-key", "nobody")) == (
        "reservations tenants: no customer named 'nobody'"
    )
    # Local cells have no usage plans: the tier is the cell's own answer, for a customer it holds.
    assert "tiers are for AWS" in one_line(tenants_cli(tmp_path, "set-tier", "moon", "premium"))
    assert "no customer named 'nobody'" in one_line(tenants_cli(tmp_path, "set-tier", "nobody", "premium"))


def test_a_customer_being_moved_is_refused_what_the_move_would_lose(
    running: CellTenants, two_cells: Cells, directory: Directory, tmp_path: Path
) -> None:
    """The move's register step copies the old cell's registry entry: a key or tier changed meanwhile
    would be lost, a table restored or repaired after the copy left behind."""
    moon_cell = registry_in(two_cells.get("c2"))
    keys = moon_cell.list_keys("moon")
    directory.begin_move("moon", "c1")
    refused = "customer 'moon' is being moved to c1; run again when the move ends"
    for args in (
        ("rotate-key", "moon"),
        ("set-tier", "moon", "premium"),
        ("restore", "moon", "--from-backup", "arn:aws:dynamodb:us-east-1:1:table/t/backup/b"),
        ("check", "moon", "--repair"),
    ):
        assert refused in one_line(tenants_cli(tmp_path, *args)), args
    assert moon_cell.list_keys("moon") == keys
    assert tenants_cli(tmp_path, "check", "moon").exit_code == 0  # reading is no change
    assert tenants_cli(tmp_path, "rotate-key", "star").exit_code == 0  # another customer is not held up


def test_check_reads_each_customers_table_in_its_own_cell(
    running: CellTenants, two_cells: Cells, tmp_path: Path
) -> None:
    moon_table = "c2_moon-reservations"
    kit.hold_night(open_store(two_cells.get("c2").settings()), moon_table, 7, DAY, 999)
    everyone = tenants_cli(tmp_path, "check", "--json")
    assert everyone.exit_code == 1, everyone.output
    reports = {(r["customer"], r["cell"], r["table"]): r for r in json.loads(everyone.stdout)}
    assert sorted(reports) == [("moon", "c2", moon_table), ("star", "c1", "c1_star-reservations")]
    assert [p["kind"] for p in reports[("moon", "c2", moon_table)]["problems"]] == ["orphaned_night"]
    star = tenants_cli(tmp_path, "check", "star")
    assert (star.exit_code, star.stdout) == (0, "star in cell c1 (c1_star-reservations): clean\n")
    repaired = tenants_cli(tmp_path, "check", "moon", "--repair")
    assert "after the repair: clean" in repaired.stdout, repaired.output
    assert tenants_cli(tmp_path, "check", "moon").exit_code == 0
    assert "no customer named 'nobody'" in one_line(tenants_cli(tmp_path, "check", "star", "nobody"))


def test_restore_switches_the_customer_within_its_cell(
    running: CellTenants, two_cells: Cells, directory: Directory, tmp_path: Path, moto_endpoint: str
) -> None:
    """moto restores at once and copies the table as it is: this proves the cell is the one used."""
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="cells-test",
        aws_secret_access_key="cells-test",
    )
    arn = ddb.create_backup(TableName="c2_moon-reservations", BackupName="moon")["BackupDetails"]["BackupArn"]
    restored = tenants_cli(tmp_path, "restore", "moon", "--from-backup", arn, "--interval", "0", "--json")
    assert restored.exit_code == 0, restored.output
    answer = json.loads(restored.stdout)
    assert answer["previous_table"] == "c2_moon-reservations"
    assert re.fullmatch(r"c2_moon\.r\d{17}-reservations", answer["table"]), answer
    assert registry_in(two_cells.get("c2")).get_customer("moon").table == answer["table"]  # type: ignore[union-attr]
    started = tenants_cli(tmp_path, "restore", "moon", "--from-backup", arn, "--no-wait")
    resume = started.stdout.splitlines()[-1].split()  # the command that finishes it, in the same cells
    assert resume[-2:] == ["--data-dir", str(tmp_path)], started.output
    # A move now would leave the waiting restore behind (its --resume looks in the customer's cell).
    with pytest.raises(
        ValidationError, match=rf"restore waiting in cell 'c2' \(table {re.escape(resume[-3])}, "
    ):
        Mover(two_cells, directory, sleep=lambda _: None).move("moon", "c1")
    assert directory.placement("moon") == Placement("moon", "c2")
    assert tenants_cli(tmp_path, *resume[2:-2]).exit_code == 0
    assert registry_in(two_cells.get("c2")).get_customer("moon").table == resume[-3]  # type: ignore[union-attr]
    # Switched to, it waits no more: the customer moves (its restored table is what is copied).
    assert Mover(two_cells, directory, sleep=lambda _: None).move("moon", "c1").to_cell == "c1"
    assert registry_in(two_cells.get("c1")).get_customer("moon").table == "c1_moon-reservations"  # type: ignore[union-attr]
    assert "no customer named 'nobody'" in one_line(
        tenants_cli(tmp_path, "restore", "nobody", "--from-backup", arn)
    )
