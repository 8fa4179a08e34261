"""The cells' side of ``reservations tenants``: create and delete through the directory, and move.

``tenants create`` and ``delete`` come here when cells run on the data folder (its cells file, which
``serve --cells`` writes) or when ``--cell`` is given; ``tenants move`` only ever runs here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reservations.cells.config import Cells, open_directory, require_cells
from reservations.exit_status import ExitStatus
from reservations.settings import Settings
from reservations.stores.directory import Directory

if TYPE_CHECKING:
    from reservations.stores.consistency import Report

CellDataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="The data folder of `serve --cells` (its cells file and directory).",
                 envvar="RESERVATIONS_DATA_DIR"),
]  # fmt: skip


def _data_dir(data_dir: Path | None) -> Path:
    return data_dir if data_dir is not None else Settings.from_env().data_dir


def cells_run(data_dir: Path | None) -> bool:
    """Whether ``serve --cells`` runs on the data folder (a malformed cells file counts: it says so)."""
    return (_data_dir(data_dir) / "cells.json").exists()


@contextmanager
def _cells(data_dir: Path | None) -> Iterator[tuple[Cells, Directory]]:
    from reservations.domain.errors import ReservationsError

    folder = _data_dir(data_dir)
    try:
        cells = require_cells(folder)
        directory = open_directory(cells.directory_settings(folder))
        try:
            yield cells, directory
        finally:
            directory.close()
    except ReservationsError as exc:
        typer.echo(f"reservations tenants: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None


def create_in_cells(
    name: str, cell: str | None, tier: str | None, as_json: bool, hosts: list[str], data_dir: Path | None
) -> None:
    from reservations.cells.placement import CellTenants
    from reservations.domain.tenancy import validate_host

    with _cells(data_dir) as (cells, directory):
        valid = [validate_host(raw) for raw in hosts]  # a bad host refuses the command before anything
        created, home = CellTenants(cells, directory).create(name, cell, tier)
        for host in valid:
            directory.add_host(host, created.customer.name)
    if as_json:
        typer.echo(
            json.dumps({"customer": created.customer.name, "cell": home.name, "api_key": created.api_key})
        )
        return
    typer.echo(
        f"Created customer {created.customer.name!r} in cell {home.name} (table {created.customer.table})."
    )
    typer.echo(f"API key, shown only this once:\n  {created.api_key}")


def delete_in_cells(name: str, data_dir: Path | None) -> None:
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        removed, home = CellTenants(cells, directory).delete(name)
    typer.echo(
        f"Deleted customer {removed.customer.name!r} from cell {home.name} and its table {removed.customer.table}."
    )


def move(
    name: Annotated[str, typer.Argument(help="The customer to move.")],
    to: Annotated[str, typer.Option("--to", help="The cell to move it to, e.g. c1.")],
    data_dir: CellDataDirOption = None,
) -> None:
    """Move a customer to another cell: its writes are refused (503, Retry-After) for the switch's
    few seconds, reads go on; a move that was interrupted is finished by running it again."""
    from reservations.cells.moving import Mover

    with _cells(data_dir) as (cells, directory):
        moved = Mover(cells, directory).move(name, to)
    typer.echo(
        f"Moved customer {moved.customer!r} from cell {moved.from_cell} to {moved.to_cell}: {moved.items} items; "
        f"writes refused for {moved.switch_s:.1f} s."
    )


def placements(
    data_dir: CellDataDirOption = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List each customer's cell (the directory), and each cell's customers against its capacity."""
    with _cells(data_dir) as (cells, directory):
        found = directory.placements()
    if as_json:
        typer.echo(
            json.dumps([{"customer": p.customer, "cell": p.cell, "moving_to": p.moving_to} for p in found])
        )
        return
    for cell in cells.cells:
        held = [p.customer for p in found if p.cell == cell.name]
        typer.echo(f"{cell.name}\t{len(held)}/{cell.capacity}\t{' '.join(held)}")


def list_in_cells(as_json: bool, data_dir: Path | None) -> None:
    """``tenants list`` with cells: every cell's customers, each with its cell."""
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        rows = CellTenants(cells, directory).registered()
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "customer": row.customer.name,
                        "cell": row.cell,
                        "routed": row.routed,
                        "table": row.customer.table,
                        "status": row.customer.status,
                        "tier": row.customer.tier,
                        "key_ids": [k.key_id for k in row.keys],
                    }
                    for row in rows
                ]
            )
        )
        return
    if not rows:
        typer.echo("No customers yet: `reservations tenants create NAME`.")
    for row in rows:
        ids = ", ".join(k.key_id for k in row.keys) or "-"
        unrouted = "" if row.routed else "\tnot routed here (a move, or a create cut short: run it again)"
        typer.echo(
            f"{row.customer.name}\t{row.cell}\t{row.customer.status}\t{row.customer.table}\tkeys: {ids}{unrouted}"
        )


def add_hosts_in_cells(name: str, hosts: list[str], data_dir: Path | None) -> dict[str, bool]:
    """``tenants hosts add`` with cells: the directory's host -> customer, which the edge routes by."""
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        return CellTenants(cells, directory).add_hosts(name, hosts)


def remove_hosts_in_cells(hosts: list[str], data_dir: Path | None) -> dict[str, str]:
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        return CellTenants(cells, directory).remove_hosts(hosts)


def hosts_in_cells(data_dir: Path | None) -> dict[str, str]:
    with _cells(data_dir) as (_cells_found, directory):
        return directory.hosts()


def rotate_key_in_cells(name: str, data_dir: Path | None) -> tuple[str, str]:
    """``tenants rotate-key`` with cells: the new key and the cell whose registry now holds it."""
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        api_key, home = CellTenants(cells, directory).rotate_key(name)
    return api_key, home.name


def set_tier_in_cells(name: str, tier: str, data_dir: Path | None) -> str:
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        return CellTenants(cells, directory).set_tier(name, tier).name


def check_in_cells(names: list[str], repair: bool, data_dir: Path | None) -> list[tuple[str, str, Report]]:
    """``tenants check`` with cells: customer, its cell, its table's report."""
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        found = CellTenants(cells, directory).check(names, repair=repair)
    return [(name, cell.name, report) for name, cell, report in found]


def restore_settings(name: str, data_dir: Path | None) -> Settings:
    """``tenants restore`` with cells: the settings of the customer's own cell, where it restores."""
    from reservations.cells.placement import CellTenants

    with _cells(data_dir) as (cells, directory):
        return CellTenants(cells, directory).home(name, changing=True).settings()
