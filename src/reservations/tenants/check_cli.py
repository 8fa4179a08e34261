"""``reservations tenants check``: report (and with ``--repair`` fix) what is out of step in tables.

Apart from ``tenants.cli`` (which only registers it) because its output is a report per table,
not the one-line answers of the other tenant commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reservations.cells import cli as cells_cli
from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

if TYPE_CHECKING:
    from reservations.stores.consistency import Report


def check(
    customers: Annotated[
        list[str] | None, typer.Argument(help="Customers to check; every customer when none is named.")
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Fix what is unambiguous (nights held by nobody, stale list items, missing nights"
            " that are free, a counter behind); report the rest.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON report per table.")] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Check customers' tables: every room-night held by the stay that covers it, every stay
    holding its nights, the list equal to the stays, the id counter ahead.

    With cells (`serve --cells`), each customer's table in its own cell (with none named, every
    cell's customers); --repair is refused for a customer being moved.

    Exit status 0 when every table is clean, 1 when a problem was found (repaired or not)."""
    reports: list[tuple[str, str | None, Report]]
    if cells_cli.cells_run(data_dir):
        reports = [*cells_cli.check_in_cells(customers or [], repair, data_dir)]
    else:
        found = _run(
            customers or [], repair=repair, data_dir=data_dir, store=store, endpoint=dynamodb_endpoint
        )
        reports = [(name, None, report) for name, report in found]
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"customer": name, **({"cell": cell} if cell else {}), **report.to_json()}
                    for name, cell, report in reports
                ]
            )
        )
    else:
        for name, cell, report in reports:
            _print(name if cell is None else f"{name} in cell {cell}", report, repair=repair)
    if any(not report.clean for _, _, report in reports):
        raise typer.Exit(ExitStatus.ERROR)


def _run(
    names: list[str], *, repair: bool, data_dir: Path | None, store: StoreOption, endpoint: str | None
) -> list[tuple[str, Report]]:
    from reservations import wiring
    from reservations.domain.errors import ReservationsError
    from reservations.settings import Settings
    from reservations.tenants.check import check_customers

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=endpoint
        )
        if settings.store == "sqlite" and not settings.data_dir.is_dir():
            typer.echo(
                f"reservations tenants check: no data in {settings.data_dir}; check --data-dir", err=True
            )
            raise typer.Exit(ExitStatus.ERROR)
        wiring.configure(settings)
        return check_customers(wiring.registry(), wiring.store(), names, repair=repair)
    except ReservationsError as exc:
        typer.echo(f"reservations tenants check: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None


def _print(name: str, report: Report, *, repair: bool) -> None:
    if report.clean:
        typer.echo(f"{name} ({report.table}): clean")
        return
    typer.echo(f"{name} ({report.table}): {len(report.problems)} problem(s)")
    repaired = set(report.repaired)
    for problem in report.problems:
        if problem in repaired:
            mark = "repaired"
        elif problem.repairable:
            mark = "repairable (--repair)" if not repair else "NOT repaired (changed meanwhile; run again)"
        else:
            mark = "needs a person"
        typer.echo(f"  {problem.kind}: {problem.message} [{mark}]")
    if repair:
        left = len(report.remaining)
        typer.echo(f"  after the repair: {'clean' if not left else f'{left} problem(s) remain'}")
