"""The ``reservations serve`` command."""

from __future__ import annotations

import os
import shlex
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

if TYPE_CHECKING:
    from reservations.settings import Settings


def register(app: typer.Typer) -> None:
    """Adds ``serve`` at the top level of ``app``."""
    app.command()(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="An origin allowed to call the API from a browser."),
    ] = None,
    web_dir: Annotated[Path | None, typer.Option("--web-dir", help="Static web page to serve at /.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes, each running the handlers (default: one per CPU, at most 4).",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[
        str, typer.Option(help="Server log level (function logs: POWERTOOLS_LOG_LEVEL).")
    ] = "warning",
    cells: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=8,
            help="Run this many cells (each its own DynamoDB and API) behind one URL: docs/cells.md.",
        ),
    ] = None,
) -> None:
    """Run the API locally: the real Lambda handlers behind an API Gateway emulator."""
    if cells is not None:
        _serve_cells(cells, data_dir, host, port, log_level)
        return
    from reservations import wiring
    from reservations.domain.errors import ReservationsError
    from reservations.gateway import server
    from reservations.settings import Settings

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=dynamodb_endpoint
        )
        settings = replace(settings, local_feeds=True)  # a server on this machine: see Settings
    except ReservationsError as exc:
        typer.echo(f"reservations serve: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    if web_dir is not None and not web_dir.is_dir():
        typer.echo(f"reservations serve: --web-dir {web_dir} is not a folder", err=True)
        raise typer.Exit(ExitStatus.USAGE)
    # The port first: a start that cannot listen must change nothing (no demo customer whose key
    # nobody saw, no profile), so the next start is a first start again.
    try:
        sock = server.bind(host, port)
    except OSError as exc:
        typer.echo(f"reservations serve: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    try:
        wiring.configure(settings)
        created = server.bootstrap(settings)
    except ReservationsError as exc:
        sock.close()
        typer.echo(f"reservations serve: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None
    origins = list(cors_origin or []) + [
        o for o in os.environ.get("RESERVATIONS_CORS_ORIGINS", "").split(",") if o
    ]
    web = web_dir or server.default_web_dir()
    url = f"http://{host if ':' not in host else f'[{host}]'}:{sock.getsockname()[1]}"
    where = settings.data_dir if settings.store == "sqlite" else settings.dynamodb_endpoint or "AWS"
    typer.echo(f"Reservations API on {url}  (store: {settings.store}, {where})")
    if web is not None:
        typer.echo(f"Web page: {url}/")
    if created is not None:
        _announce_demo(url, settings, created.customer.name, created.api_key)
    else:
        _follow_profiles(url, settings)
    typer.echo("Press Ctrl-C to stop.", err=True)
    server.run(
        settings,
        sock,
        cors_origins=origins,
        web_dir=web,
        workers=workers or server.default_workers(),
        log_level=log_level,
    )


def _serve_cells(count: int, data_dir: Path | None, host: str, port: int, log_level: str) -> None:
    from reservations.gateway.cell_stack import serve_cells
    from reservations.settings import Settings

    folder = data_dir or Settings.from_env().data_dir
    store = f"cells:{folder.expanduser().resolve()}"  # never a plain `serve`'s store, which restarts follow
    serve_cells(
        count,
        folder,
        host,
        port,
        log_level,
        on_demo=lambda url, customer, api_key: save_demo(url, store, customer, api_key),
    )


def _announce_demo(url: str, settings: Settings, customer: str, api_key: str) -> None:
    typer.echo(f"Created customer {customer!r}. Its API key, shown only this once:\n  {api_key}")
    save_demo(url, settings.location, customer, api_key)
    typer.echo(f"  curl -H 'X-Customer: {customer}' -H 'X-Api-Key: {api_key}' {url}/reservations")


def save_demo(url: str, store: str, customer: str, api_key: str) -> None:
    """The demo customer's client profile, so `reservations menu` needs no setup; ``store`` is what a
    restart of the same store finds it by."""
    from reservations.client.config import DEFAULT_PROFILE, ConfigError, Profile, save_demo_profile

    profile = Profile(url=url, customer=customer, api_key=api_key, store=store)
    try:
        name, path, kept = save_demo_profile(profile)
        if name is None:
            typer.echo(
                f"Client profile not written: {kept} belong to other stores; "
                "run `reservations configure --profile NAME` with the key above."
            )
        else:
            if kept:
                typer.echo(f"Profile {kept!r} belongs to another store and was left as it is.")
            hint = "" if name == DEFAULT_PROFILE else f" --profile {name}"
            typer.echo(
                f"Client profile {name!r} written to {path}; "
                f"try `reservations menu{hint}` or `reservations list{hint}`."
            )
    except (ConfigError, OSError) as exc:
        typer.echo(f"Client profile not written: {exc}", err=True)


def _follow_profiles(url: str, settings: Settings) -> None:
    """A restart on another port moves the profiles written for this store along with it."""
    from reservations.client.config import ConfigError, config_path, follow_store
    from reservations.gateway import server

    try:
        ours, notes = follow_store(settings.location, url, answers=_answers)
    except (ConfigError, OSError) as exc:
        typer.echo(f"Client profiles not checked: {exc}", err=True)
        return
    for note in notes:
        typer.echo(note)
    if not ours and server.has_customer(server.DEMO_CUSTOMER):
        typer.echo(
            f"No client profile in {config_path()} is for this store. Lost the demo key? "
            f"`reservations tenants rotate-key demo{store_flags(settings)}` prints a new one; "
            "then `reservations configure`."
        )


def _answers(url: str) -> bool:
    """Whether a server answers at ``url`` (its /healthz, within a second)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310 (profiles hold http(s) URLs)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def store_flags(settings: Settings) -> str:
    """The flags that name this store on another command line (empty for the default store)."""
    from reservations.settings import default_data_dir

    if settings.store == "sqlite":
        same = settings.data_dir.expanduser().resolve() == default_data_dir().expanduser().resolve()
        return "" if same else f" --data-dir {shlex.quote(str(settings.data_dir))}"
    endpoint = (
        f" --dynamodb-endpoint {shlex.quote(settings.dynamodb_endpoint)}"
        if settings.dynamodb_endpoint
        else ""
    )
    return f" --store dynamodb{endpoint}"
