"""The cells' directory (issue #24): which cell holds each customer, and which customer each custom
domain names.

One small table beside the cells (in AWS a control account's), read by the edge to route a request
and written by onboarding (last, once the customer's cell has everything) and by a move.  A
placement's ``moving_to`` is set for the few seconds a move switches the customer over: the edge
refuses the customer's writes meanwhile, so none lands in the cell being left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Placement:
    customer: str
    cell: str
    moving_to: str | None = None  # the cell a move is switching the customer to


class Directory(Protocol):
    """customer -> cell and host -> customer; every change moves ``version`` (the edge polls it)."""

    def ensure_table(self) -> None:
        """Creates the directory's table (or file) if it is missing."""

    def place(self, customer: str, cell: str) -> bool:
        """Places ``customer`` in ``cell``; False if it already was there (a rerun), ``ValidationError``
        if it is in another cell."""

    def begin_move(self, customer: str, to_cell: str) -> Placement:
        """Marks the customer as moving to ``to_cell`` (idempotent); ``NotFoundError`` if unplaced,
        ``ValidationError`` if it is in ``to_cell`` already or moving elsewhere."""

    def finish_move(self, customer: str) -> Placement:
        """Switches a moving customer to its new cell, in one write; ``ValidationError`` if not moving."""

    def remove(self, customer: str) -> None:
        """Unplaces the customer and unmaps its hosts; ``NotFoundError`` if it was not placed."""

    def placement(self, customer: str) -> Placement | None: ...

    def placements(self) -> list[Placement]:
        """Every placement, by customer name."""

    def add_host(self, host: str, customer: str) -> bool:
        """Maps ``host`` to a placed customer; False if it already was. ``NotFoundError`` if the
        customer is not placed, ``ValidationError`` if another customer holds the host."""

    def remove_host(self, host: str) -> str:
        """Unmaps ``host``; the customer it named. ``NotFoundError`` if none."""

    def hosts(self) -> dict[str, str]: ...

    def version(self) -> int:
        """A counter that moves with every change: the edge reads only this until it moves."""

    def close(self) -> None: ...


def placed_elsewhere(customer: str, cell: str) -> str:
    return f"customer {customer!r} is in cell {cell!r}"
