"""The edge's view of the directory: which cell to send a request to, and when to refuse a write.

The edge polls the directory's version (one small read) every ``poll_s`` and reads the whole map
only when it moved.  When the directory cannot be read, the last map read keeps serving: customers
placed before the outage are routed as before; only customers placed or moved during it wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from reservations.domain.tenancy import CUSTOMER_NAME_RE, normalize_customer
from reservations.stores.directory import Directory

# Methods that change nothing: served while a customer moves (from the cell it is leaving).
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class DirectoryMap:
    version: int = -1
    cells: dict[str, str] = field(default_factory=dict)  # customer -> cell
    moving: frozenset[str] = frozenset()
    hosts: dict[str, str] = field(default_factory=dict)  # host -> customer

    @classmethod
    def read(cls, directory: Directory) -> DirectoryMap:
        version = directory.version()  # first: a change after it shows as a newer version next time
        placements = directory.placements()
        return cls(
            version,
            {p.customer: p.cell for p in placements},
            frozenset(p.customer for p in placements if p.moving_to),
            directory.hosts(),
        )

    def customer(self, header: str | None, host: str | None) -> str | None:
        """The customer a request names: its custom domain's, whatever the header claims (as the
        nginx edge decides, so a client on one customer's domain cannot name another), else its
        header's."""
        mapped = self.host_customer(host)
        if mapped is not None:
            return mapped
        if header:
            named = normalize_customer(header)
            return named if CUSTOMER_NAME_RE.fullmatch(named) else None
        return None

    def host_customer(self, host: str | None) -> str | None:
        if not host:
            return None
        return self.hosts.get(host.lower().rsplit(":", 1)[0].removesuffix("."))


@dataclass(frozen=True)
class Route:
    cell: str | None  # None: the customer is in no cell (the edge answers as for a bad key)
    refuse_write: bool = False  # the customer is switching cells: 503, Retry-After


def route(known: DirectoryMap, customer: str, method: str) -> Route:
    cell = known.cells.get(customer)
    return Route(cell, cell is not None and customer in known.moving and method.upper() not in READS)


class MapCache:
    """The last map read, refreshed at most every ``poll_s``; thread-safe."""

    def __init__(
        self, directory: Directory, poll_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._directory = directory
        self._poll_s = poll_s
        self._clock = clock
        self._lock = threading.Lock()
        self._map = DirectoryMap()
        self._checked = float("-inf")
        self.failures = 0  # polls that could not read the directory (the last map kept serving)

    def current(self) -> DirectoryMap:
        with self._lock:
            if self._clock() - self._checked >= self._poll_s:
                self._checked = self._clock()
                self._refresh()
            return self._map

    def _refresh(self) -> None:
        try:
            if self._directory.version() != self._map.version:
                self._map = DirectoryMap.read(self._directory)
        except Exception:
            self.failures += 1
