"""The ``reservations serve`` command."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reservations.exit_status import ExitStatus


class StoreChoice(StrEnum):
    sqlite = "sqlite"
    dynamodb = "dynamodb"


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Where the SQLite store keeps its files.", envvar="RESERVATIONS_DATA_DIR"
    ),
]
StoreOption = Annotated[
    StoreChoice | None, typer.Option("--store", help="sqlite (embedded, default) or dynamodb.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--dynamodb-endpoint", help="DynamoDB endpoint URL (DynamoDB Local, moto, or AWS when omitted)."
    ),
]


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
) -> None:
    """Run the API locally: the real Lambda handlers behind an API Gateway emulator."""
    from reservations import wiring
    from reservations.domain import ReservationsError
    from reservations.gateway import server
    from reservations.settings import Settings

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=dynamodb_endpoint
        )
        wiring.configure(settings)
        created = server.bootstrap(settings)
    except ReservationsError as exc:
        typer.echo(f"reservations serve: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None
    try:
        sock = server.bind(host, port)
    except OSError as exc:
        typer.echo(f"reservations serve: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
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
        _announce_demo(url, created.customer.name, created.api_key)
    typer.echo("Press Ctrl-C to stop.", err=True)
    server.run(
        settings,
        sock,
        cors_origins=origins,
        web_dir=web,
        workers=workers or server.default_workers(),
        log_level=log_level,
    )


def _announce_demo(url: str, customer: str, api_key: str) -> None:
    from reservations.client.config import ConfigError, Profile, save_profile

    typer.echo(f"Created customer {customer!r}. Its API key, shown only this once:\n  {api_key}")
    try:
        path = save_profile("local", Profile(url=url, customer=customer, api_key=api_key))
        typer.echo(
            f"Client profile 'local' written to {path}; try `reservations menu` or `reservations list`."
        )
    except (ConfigError, OSError) as exc:
        typer.echo(f"Client profile not written: {exc}", err=True)
    typer.echo(f"  curl -H 'X-Customer: {customer}' -H 'X-Api-Key: {api_key}' {url}/reservations")
