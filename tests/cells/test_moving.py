"""``tenants move`` step by step (issue #24): a move killed after any step is finished by running it
again, and then the customer's table is in the new cell item for item (same ids, so the next add
continues the numbering), its key works there, and the old cell holds nothing of it.

The load test through ``serve --cells`` is tests/cells/test_serve_cells.py; here the cells are two
prefixes on one moto server, and the settle (time for edges to notice) is not waited for."""

from __future__ import annotations

from pathlib import Path

import pytest

from reservations.cells.config import open_directory
from reservations.cells.moving import Mover
from reservations.cells.placement import CellTenants
from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import now_utc
from reservations.domain.reservation import ListQuery
from reservations.settings import Settings
from reservations.stores import open_store
from reservations.stores.directory import Placement
from reservations.tenants.auth import authorize
from tests.support.cells import cells_of, registry_in
from tests.support.stores import new


class Crash(Exception):
    pass


def no_wait(_: float) -> None:
    return None


@pytest.mark.parametrize("crash_after", ["mark", "copy", "register", "switch", None])
def test_a_move_killed_after_any_step_is_finished_by_a_rerun(
    moto_endpoint: str, tmp_path: Path, crash_after: str | None
) -> None:
    cells = cells_of(5, 5, endpoint=moto_endpoint)
    old, new_cell = cells.get("c1"), cells.get("c2")
    directory = open_directory(Settings(store="sqlite", data_dir=tmp_path))
    created, _ = CellTenants(cells, directory).create("star", cell="c1")
    table = created.customer.table
    source = open_store(old.settings())
    for room in (101, 102, 103):
        source.add(table, new(room=room), created_at=now_utc())
    source.delete(table, 2)
    before = source.list(table, ListQuery())

    def crash(step: str) -> None:
        if step == crash_after:
            raise Crash

    if crash_after is not None:
        with pytest.raises(Crash):
            Mover(cells, directory, sleep=no_wait, after_step=crash).move("star", "c2")
    moved = Mover(cells, directory, sleep=no_wait).move("star", "c2")

    assert (moved.customer, moved.to_cell) == ("star", "c2")
    assert directory.placement("star") == Placement("star", "c2")
    target, moved_table = open_store(new_cell.settings()), new_cell.settings().table_for("star")
    assert registry_in(new_cell).get_customer("star").table == moved_table  # type: ignore[union-attr]
    assert target.list(moved_table, ListQuery()) == before
    assert target.add(moved_table, new(room=104), created_at=now_utc()).reservation.reservation_id == 4
    assert authorize(registry_in(new_cell), "star", created.api_key).name == "star"
    assert registry_in(old).get_customer("star") is None
    assert source.table_info(table) is None
    with pytest.raises(ValidationError, match="in cell 'c2' already"):
        Mover(cells, directory, sleep=no_wait).move("star", "c2")


def test_a_move_to_an_unknown_cell_or_of_an_unknown_customer_changes_nothing(
    moto_endpoint: str, tmp_path: Path
) -> None:
    cells = cells_of(5, 5, endpoint=moto_endpoint)
    directory = open_directory(Settings(store="sqlite", data_dir=tmp_path))
    CellTenants(cells, directory).create("star", cell="c1")
    version = directory.version()
    with pytest.raises(ValidationError, match="no cell named 'c9'"):
        Mover(cells, directory, sleep=no_wait).move("star", "c9")
    with pytest.raises(NotFoundError, match="'nobody' is in no cell"):
        Mover(cells, directory, sleep=no_wait).move("nobody", "c2")
    assert directory.version() == version
