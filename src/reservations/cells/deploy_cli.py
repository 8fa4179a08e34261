"""``reservations cells deploy``: the cell root applied in waves, a canary first (``cells.deploy``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from reservations.exit_status import ExitStatus

app = typer.Typer(help="Operate the cells in AWS (docs/cells.md).", no_args_is_help=True)


@app.command()
def deploy(
    root: Annotated[Path, typer.Option("--root", help="The cell root, after `terraform init`.")] = Path(
        "terraform/cell"
    ),
    waves: Annotated[
        Path | None, typer.Option("--waves", help="The waves file (default: ROOT/waves.json).")
    ] = None,
    log_dir: Annotated[
        Path | None,
        typer.Option(
            "--log-dir", help="Where each cell's terraform output goes (default: a new temporary folder)."
        ),
    ] = None,
    terraform: Annotated[str, typer.Option("--terraform", help="The Terraform binary.")] = "terraform",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the waves and apply nothing.")] = False,
) -> None:
    """Apply the cell root cell by cell: the canary, its health gate, then the other cells in waves;
    the first failed apply or gate stops it, and later waves are never applied."""
    from reservations.cells.deploy import Deployer, load_plan
    from reservations.domain.errors import ReservationsError

    try:
        plan = load_plan(root, waves)
    except ReservationsError as exc:
        typer.echo(f"reservations cells deploy: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    if dry_run:
        for number, wave in enumerate(plan.waves, start=1):
            typer.echo(f"wave {number}: {' '.join(f'{c} ({plan.health[c]})' for c in wave)}")
        return
    logs = log_dir if log_dir is not None else Path(tempfile.mkdtemp(prefix="cells-deploy-"))
    outcome = Deployer(plan, logs, terraform, echo=typer.echo).run()
    if not outcome.ok:
        typer.echo(f"reservations cells deploy: {outcome.line()}", err=True)
        raise typer.Exit(ExitStatus.ERROR)
    typer.echo(outcome.line())
