"""``reservations tenants restore``: bring a customer back from a backup or a point in time.

Kept apart from ``tenants.cli`` (which only registers the command) because it waits and reports
progress, which the other tenant commands never do.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reservations.cells import cli as cells_cli
from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

if TYPE_CHECKING:
    from reservations.settings import Settings
    from reservations.tenants.restore import CustomerRestore


def _fail(message: str, status: ExitStatus) -> typer.Exit:
    typer.echo(f"reservations tenants restore: {message}", err=True)
    return typer.Exit(int(status))


def _resume_hint(name: str, table: str, cells_dir: Path | None) -> str:
    """``cells_dir``: the data folder of the cells the customer is in, which the rerun needs too."""
    where = f" --data-dir {shlex.quote(str(cells_dir))}" if cells_dir is not None else ""
    return f"reservations tenants restore {name} --resume {table}{where}"


def restore(
    name: Annotated[str, typer.Argument(help="The customer to restore.")],
    from_backup: Annotated[
        str | None,
        typer.Option("--from-backup", metavar="ARN", help="A DynamoDB backup of the customer's table."),
    ] = None,
    to_time: Annotated[
        str | None,
        typer.Option(
            "--to-time",
            metavar="T",
            help="A moment within the table's point-in-time window: ISO 8601 with offset, or 'latest'.",
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            metavar="TABLE",
            help="Wait for (if needed) and switch to a table already restored or being restored.",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for the restore, then switch the customer.")
    ] = True,
    interval: Annotated[float, typer.Option("--interval", min=0, help="Seconds between checks.")] = 15.0,
    timeout: Annotated[float, typer.Option("--timeout", min=0, help="Give up waiting after this.")] = 21600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Restore a customer's table into a new table and switch the customer to it (DynamoDB only).

    The old table is kept. With --no-wait the command returns once the restore has started and
    prints the --resume command that finishes it. With cells (`serve --cells`), within the
    customer's own cell (refused while it is being moved).
    """
    from reservations.domain.errors import ReservationsError, ValidationError
    from reservations.settings import Settings
    from reservations.tenants.restore import parse_restore_time

    if sum(option is not None for option in (from_backup, to_time, resume)) != 1:
        raise _fail("give exactly one of --from-backup ARN, --to-time T or --resume TABLE", ExitStatus.USAGE)
    try:
        moment = parse_restore_time(to_time) if to_time is not None else None
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=dynamodb_endpoint
        )
    except ValidationError as exc:
        raise _fail(exc.message, ExitStatus.USAGE) from None
    in_cells = cells_cli.cells_run(data_dir)
    cells_dir = data_dir if in_cells else None
    if in_cells:
        settings = cells_cli.restore_settings(name, data_dir)
    if settings.store != "dynamodb":
        raise _fail(
            "restores need the DynamoDB store (--store dynamodb or RESERVATIONS_STORE=dynamodb);"
            " an SQLite table is a file: copy it back from your file backup",
            ExitStatus.USAGE,
        )
    restorer = _restorer(settings)
    customer = name.strip().lower()
    try:
        if resume is None:
            started = restorer.start(name, backup_arn=from_backup, moment=moment)
            table, restored_from = started.target_table, started.restored_from
            typer.echo(
                f"Restoring customer {started.customer!r} into {table} (from {restored_from}).", err=True
            )
            if not wait:
                typer.echo(
                    f"Restore started. To switch the customer once it is done:\n  {_resume_hint(customer, table, cells_dir)}"
                )
                return
        else:
            table, restored_from = resume, None
        _wait(restorer, table, _resume_hint(customer, table, cells_dir), interval=interval, timeout=timeout)
        previous = restorer.switch(name, table, restored_from)
    except ReservationsError as exc:
        raise _fail(exc.message, ExitStatus.ERROR) from None
    if as_json:
        typer.echo(json.dumps({"customer": customer, "table": table, "previous_table": previous}))
        return
    typer.echo(f"Customer {customer!r} now uses {table} (was {previous}).")
    typer.echo(
        f"The previous table {previous} is kept, with anything written to it after the restore point;"
        " delete it when you no longer need it."
    )


def _restorer(settings: Settings) -> CustomerRestore:
    from reservations.stores.dynamodb_client import make_client
    from reservations.stores.dynamodb_registry import DynamoDBRegistry
    from reservations.stores.dynamodb_restore import TableRestore
    from reservations.tenants.restore import CustomerRestore

    client = make_client(settings)
    return CustomerRestore(
        DynamoDBRegistry(client, settings.registry_table_name), TableRestore(client), settings
    )


def _wait(restorer: CustomerRestore, table: str, hint: str, *, interval: float, timeout: float) -> None:
    """Polls the new table until the restore is done, a progress line per check on stderr."""
    started = time.monotonic()
    try:
        while True:
            state = restorer.state(table)
            elapsed = time.monotonic() - started
            minutes, seconds = divmod(int(elapsed), 60)
            detail = " (restore in progress)" if state.in_progress else ""
            typer.echo(f"[{minutes:02d}:{seconds:02d}] {table}: {state.status}{detail}", err=True)
            if state.ready:
                return
            if elapsed + interval > timeout:
                raise _fail(
                    f"{table} is still {state.status} after {int(elapsed)} s; the restore goes on."
                    f" Later: {hint}",
                    ExitStatus.ERROR,
                )
            time.sleep(interval)
    except KeyboardInterrupt:
        raise _fail(f"stopped waiting; the restore goes on. Later: {hint}", ExitStatus.ERROR) from None
