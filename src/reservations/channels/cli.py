"""``reservations channels sync``: fetch every room's imported calendars now, and say what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

app = typer.Typer(
    help="Channel calendars (Booking.com, Airbnb ...): sync the imported feeds.", no_args_is_help=True
)


@app.command()
def sync(
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer.")] = None,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Fetch each room's imported calendars and turn their events into blocks.

    One line per feed; each conflict (a night the channel sold that we sold too) on a line of its
    own.  Exit status 1 when a feed failed or conflicts, so a scheduler notices."""
    from reservations import wiring
    from reservations.channels.sync import ChannelSync, local_fetcher
    from reservations.domain.errors import ReservationsError
    from reservations.settings import Settings

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=dynamodb_endpoint
        )
        if settings.store == "sqlite" and not Path(settings.data_dir).is_dir():
            raise ReservationsError(f"no data in {settings.data_dir}; check --data-dir")
        wiring.configure(settings)
        local = settings.creates_tables or settings.local_feeds
        outcomes = ChannelSync(wiring.store(), wiring.registry(), local_fetcher(local)).run(customer)
    except ReservationsError as exc:
        typer.echo(f"reservations channels sync: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None
    troubled = False
    for room in outcomes:
        for feed in room.feeds:
            summary = (
                f"{room.customer} room {room.room_number} {feed.url}: {feed.events} events, "
                f"{feed.blocked} blocked, {feed.released} released, {len(feed.conflicts)} conflicts"
            )
            typer.echo(summary + (f"; error: {feed.error}" if feed.error else ""))
            for conflict in feed.conflicts:
                typer.echo(
                    f"  conflict: {conflict['check_in']} to {conflict['check_out']} ({conflict['uid']}): "
                    f"{conflict['reason']}"
                )
            troubled = troubled or bool(feed.error or feed.conflicts)
    if not outcomes:
        typer.echo("no room imports a calendar")
    if troubled:
        raise typer.Exit(ExitStatus.ERROR)
