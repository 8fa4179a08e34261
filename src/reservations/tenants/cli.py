"""``reservations tenants``: create customers, rotate and revoke their keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from reservations.cells import cli as cells_cli
from reservations.domain.tenancy import validate_host
from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption
from reservations.tenants.admin import Tenants
from reservations.tenants.check_cli import check
from reservations.tenants.onboarding import open_onboarding
from reservations.tenants.restore_cli import restore

app = typer.Typer(help="Manage customers and their API keys.", no_args_is_help=True)
hosts_app = typer.Typer(
    help="Custom domains: host names the edge maps to a customer, read by `reservations edge`.",
    no_args_is_help=True,
)
app.add_typer(hosts_app, name="hosts")
app.command()(cells_cli.move)
app.command("cells")(cells_cli.placements)
HostOption = Annotated[
    list[str] | None,
    typer.Option("--host", help="A custom domain of the customer (repeatable), e.g. book.star-hotel.com."),
]


@contextmanager
def _tenants(
    data_dir: Path | None, store: StoreOption, endpoint: str | None, *, existing: bool = True
) -> Iterator[Tenants]:
    """``existing``: the SQLite data must be there already (a mistyped --data-dir is not a new, empty store)."""
    from reservations import wiring
    from reservations.domain.errors import ReservationsError
    from reservations.settings import Settings

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=endpoint
        )
        if existing and settings.store == "sqlite" and not settings.data_dir.is_dir():
            typer.echo(
                f"reservations tenants: no data in {settings.data_dir} (`reservations serve` or "
                "`reservations tenants create` makes it); check --data-dir",
                err=True,
            )
            raise typer.Exit(ExitStatus.ERROR)
        wiring.configure(settings)
        registry = wiring.registry()
        ensure = getattr(registry, "ensure_table", None)
        if ensure is not None and settings.creates_tables:  # in AWS the registry is Terraform's
            ensure()
        yield Tenants(registry, wiring.store(), settings, open_onboarding(settings, registry))
    except ReservationsError as exc:
        typer.echo(f"reservations tenants: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="Customer name: 2-40 of a-z, 0-9, '-'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {customer, api_key} as JSON.")] = False,
    tier: Annotated[
        str | None, typer.Option("--tier", help="In AWS: the usage plan's tier (default standard).")
    ] = None,
    host: HostOption = None,
    cell: Annotated[
        str | None,
        typer.Option("--cell", help="With `serve --cells`: the cell to place it in (default: least full)."),
    ] = None,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Create a customer and its table; prints the API key once.

    In AWS (DynamoDB without --dynamodb-endpoint) the table gets Terraform's settings (KMS key,
    point-in-time recovery, deletion protection, backup tag); a run that was interrupted is
    finished by running the same command again. Each --host is a custom domain the edge maps to
    the customer (`tenants hosts add` adds more later). With cells (`serve --cells`) it is placed
    in a cell and the directory, last."""
    if cell is not None or cells_cli.cells_run(data_dir):
        cells_cli.create_in_cells(name, cell, tier, as_json, host or [], data_dir)
        return
    with _tenants(data_dir, store, dynamodb_endpoint, existing=False) as tenants:
        if host:
            for raw in host:  # a bad host name refuses the command before anything is made
                validate_host(raw)
        created = tenants.create(name, tier)
        if host:
            tenants.add_hosts(created.customer.name, host)
    if as_json:
        typer.echo(json.dumps({"customer": created.customer.name, "api_key": created.api_key}))
    else:
        typer.echo(f"Created customer {created.customer.name!r} (table {created.customer.table}).")
        typer.echo(f"API key, shown only this once:\n  {created.api_key}")


@app.command("list")
def list_customers(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """List customers with their tables, key ids (never the keys) and, in AWS, their tiers; with cells
    (`serve --cells`), every cell's customers, each with its cell."""
    if cells_cli.cells_run(data_dir):
        cells_cli.list_in_cells(as_json, data_dir)
        return
    with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
        rows = tenants.list()
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "customer": c.name,
                        "table": c.table,
                        "status": c.status,
                        "tier": c.tier,
                        "key_ids": [k.key_id for k in keys],
                    }
                    for c, keys in rows
                ]
            )
        )
        return
    if not rows:
        typer.echo("No customers yet: `reservations tenants create NAME`.")
    for customer, keys in rows:
        ids = ", ".join(k.key_id for k in keys) or "-"
        tier = f"\ttier: {customer.tier}" if customer.tier else ""
        typer.echo(f"{customer.name}\t{customer.status}\t{customer.table}\tkeys: {ids}{tier}")


@app.command("set-tier")
def set_tier(
    name: str,
    tier: str,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """In AWS: move the customer to another tier's usage plan (its limits change at once); with cells,
    in the customer's own cell (refused while it is being moved)."""
    if cells_cli.cells_run(data_dir):
        cell = cells_cli.set_tier_in_cells(name, tier, data_dir)
        typer.echo(f"Customer {name.strip().lower()!r} is now on tier {tier!r} (cell {cell}).")
        return
    with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
        tenants.set_tier(name, tier)
    typer.echo(f"Customer {name.strip().lower()!r} is now on tier {tier!r}.")


@app.command("rotate-key")
def rotate_key(
    name: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print {customer, api_key} as JSON.")] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Issue a new key and revoke the old ones at once; prints the new key once. With cells, in the
    customer's own cell's registry (refused while it is being moved: the move would lose the key)."""
    cell = None
    if cells_cli.cells_run(data_dir):
        api_key, cell = cells_cli.rotate_key_in_cells(name, data_dir)
    else:
        with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
            api_key = tenants.rotate_key(name)
    answer = {"customer": name.strip().lower(), "api_key": api_key} | ({"cell": cell} if cell else {})
    if as_json:
        typer.echo(json.dumps(answer))
    else:
        where = f" in cell {cell}" if cell else ""
        typer.echo(
            f"New API key for {answer['customer']!r}{where} (old keys revoked), shown only this once:\n  {api_key}"
        )


@app.command()
def delete(
    name: str,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: deletes the customer's table and reservations.")
    ] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Delete a customer, its keys, its table and every reservation in it.

    In AWS a final backup of each of its tables is taken first; a run that was interrupted is
    finished by running the same command again."""
    if not yes:
        typer.echo(
            "reservations tenants delete: this deletes every reservation of the customer; add --yes", err=True
        )
        raise typer.Exit(ExitStatus.USAGE)
    if cells_cli.cells_run(data_dir):
        cells_cli.delete_in_cells(name, data_dir)
        return
    with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
        removed = tenants.delete(name)
    typer.echo(f"Deleted customer {removed.customer.name!r} and its table {removed.customer.table}.")
    for backup in removed.backups:
        typer.echo(f"Final backup: {backup}")


@hosts_app.command("add")
def hosts_add(
    name: Annotated[str, typer.Argument(help="The customer.")],
    hosts: Annotated[list[str], typer.Argument(help="Host names, e.g. book.star-hotel.com.")],
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Map custom domains to a customer; the edge answers on them after its next sync (with cells: in
    the directory, after the edge's next poll)."""
    if cells_cli.cells_run(data_dir):
        added = cells_cli.add_hosts_in_cells(name, hosts, data_dir)
    else:
        with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
            added = tenants.add_hosts(name, hosts)
    for host, new in added.items():
        typer.echo(f"{host} -> {name.strip().lower()} ({'added' if new else 'already mapped'})")


@hosts_app.command("remove")
def hosts_remove(
    hosts: Annotated[list[str], typer.Argument(help="Host names to unmap.")],
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Unmap custom domains (the customer stays; with cells, from the directory)."""
    if cells_cli.cells_run(data_dir):
        removed = cells_cli.remove_hosts_in_cells(hosts, data_dir)
    else:
        with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
            removed = tenants.remove_hosts(hosts)
    for host, customer in removed.items():
        typer.echo(f"{host} -> {customer} (removed)")


@hosts_app.command("list")
def hosts_list(
    as_json: Annotated[bool, typer.Option("--json", help='Print {"host": "customer", ...}.')] = False,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Every custom domain and its customer (with cells: the directory's)."""
    if cells_cli.cells_run(data_dir):
        hosts = cells_cli.hosts_in_cells(data_dir)
    else:
        with _tenants(data_dir, store, dynamodb_endpoint) as tenants:
            hosts = tenants.hosts()
    if as_json:
        typer.echo(json.dumps(hosts))
        return
    for host, customer in hosts.items():
        typer.echo(f"{host}\t{customer}")


app.command()(restore)  # restore_cli.py: restore from a backup or a point in time
app.command()(check)  # check_cli.py: report and repair broken invariants
