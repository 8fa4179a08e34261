"""How reservations look to a person, shared by the CLI and the menu so both read the same."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reservations.domain.reservation import Reservation

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


# Output for a program (a pipe, a file) is never wrapped: a line per row, whatever the names' length.
UNWRAPPED_WIDTH = 100_000


def console(*, stderr: bool = False) -> Console:
    """A console that never reinterprets our text: guest names may contain ``[brackets]``.

    Rich wraps at 80 columns (or ``$COLUMNS``) when it is not writing to a terminal, which would break
    a row of ``reservations list | grep`` in two; only a terminal's width is a reason to wrap.
    """
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else UNWRAPPED_WIDTH
    return Console(stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=False, width=width)


def table(reservations: Iterable[Reservation], *, title: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    grid = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    grid.add_column("ID", justify="right")
    grid.add_column("Guest", overflow="fold")
    grid.add_column("Room", justify="right")
    grid.add_column("Nights", justify="right")
    grid.add_column("Check-in")
    grid.add_column("Check-out")
    for r in reservations:
        grid.add_row(
            str(r.reservation_id),
            r.guest_name,
            str(r.room_number),
            str(r.nights),
            r.check_in.isoformat(),
            r.check_out.isoformat(),
        )
    return grid


def describe(r: Reservation) -> str:
    """One line a clerk can read back to a guest."""
    nights = "night" if r.nights == 1 else "nights"
    return (
        f"reservation {r.reservation_id}: {r.guest_name}, room {r.room_number}, "
        f"{r.check_in.isoformat()} to {r.check_out.isoformat()} ({r.nights} {nights})"
    )
