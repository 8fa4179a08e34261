"""Placing customers in cells: onboarding in the chosen cell, then the directory, last.

The directory is what routes a customer, so it is written only once the customer's cell has its
table, registry entry and key: a run killed before that leaves the customer unplaced (no request
reaches it), and running the same command again finds it in its cell, issues a new key (the killed
run's was never shown) and places it.  ``tenants delete`` goes the other way: the directory first,
so nothing is routed to a customer being removed.  The other ``tenants`` commands act in the
customer's own cell (``home``), which the directory names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reservations.cells.config import Cell, Cells
from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.tenancy import normalize_customer, validate_customer_name, validate_host
from reservations.stores import open_registry, open_store
from reservations.stores.directory import Directory, Placement
from reservations.stores.protocols import CustomerRecord, KeyRecord, Registry, Store
from reservations.tenants.admin import CreatedCustomer, Removed, Tenants
from reservations.tenants.check import check_customers
from reservations.tenants.onboarding import open_onboarding

if TYPE_CHECKING:
    from reservations.stores.consistency import Report


def _no_hook(step: str) -> None:
    return None


@dataclass(frozen=True)
class Listed:
    """A customer as one cell's registry holds it; ``routed``: the directory sends it to this cell
    (False for a run cut short before the directory, or the cell a move is leaving or entering)."""

    cell: str
    customer: CustomerRecord
    keys: list[KeyRecord]
    routed: bool


def choose_cell(cells: Cells, placements: list[Placement], named: str | None = None) -> Cell:
    """A named cell (a premium customer's), or the least full cell with room; ties to the first.

    A customer moving counts in both cells until the move ends: it holds a table in each."""
    held = Counter(p.cell for p in placements) + Counter(p.moving_to for p in placements if p.moving_to)
    if named is not None:
        cell = cells.get(named)
        if held[cell.name] >= cell.capacity:
            raise ValidationError(f"cell {cell.name!r} is full ({cell.capacity} customers)", field="cell")
        return cell
    with_room = [cell for cell in cells.cells if held[cell.name] < cell.capacity]
    if not with_room:
        raise ValidationError("every cell is full: add a cell", field="cell")
    return min(with_room, key=lambda cell: held[cell.name] / cell.capacity)


@contextmanager
def registry_of(cell: Cell) -> Iterator[Registry]:
    """The cell's registry for one step, closed after it: each opens its own client (or SQLite file),
    and ``serve --cells`` or a long move must not gather them."""
    settings = cell.settings()
    registry = open_registry(settings)
    try:
        ensure = getattr(registry, "ensure_table", None)
        if ensure is not None and settings.creates_tables:  # in AWS Terraform made it: no CreateTable
            ensure()
        yield registry
    finally:
        registry.close()


@contextmanager
def store_of(cell: Cell) -> Iterator[Store]:
    store = open_store(cell.settings())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def tenants_of(cell: Cell) -> Iterator[Tenants]:
    """The cell's tenants, its registry and store closed after the one command (each opens its own
    clients and, on SQLite, files: a long-lived caller such as ``serve --cells`` must not gather them)."""
    settings = cell.settings()
    with registry_of(cell) as registry, store_of(cell) as store:
        yield Tenants(registry, store, settings, open_onboarding(settings, registry))


class CellTenants:
    """``after_step`` is called with each step's name once it is done (the crash tests stop there)."""

    def __init__(
        self, cells: Cells, directory: Directory, *, after_step: Callable[[str], None] = _no_hook
    ) -> None:
        self._cells = cells
        self._directory = directory
        self._after_step = after_step

    def create(
        self, raw_name: str, cell: str | None = None, tier: str | None = None
    ) -> tuple[CreatedCustomer, Cell]:
        """``tier``: in AWS the usage plan in the cell (its default when None); a local cell has none."""
        name = validate_customer_name(normalize_customer(raw_name))
        placed = self._directory.placement(name)
        if placed is not None:
            raise ValidationError(f"customer {name!r} already exists (cell {placed.cell!r})", field="name")
        home = self._unplaced_home(name)
        if home is None:
            home = choose_cell(self._cells, self._directory.placements(), cell)
            with tenants_of(home) as tenants:
                created = tenants.create(name, tier)
        elif cell is not None and cell != home.name:
            raise ValidationError(
                f"customer {name!r} was begun in cell {home.name!r}: finish it there", field="cell"
            )
        else:
            created = self._finish(home, name, tier)
        self._after_step("cell")
        self._directory.place(name, home.name)
        self._after_step("directory")
        return created, home

    def delete(self, raw_name: str) -> tuple[Removed, Cell]:
        name = normalize_customer(raw_name)
        placed = self._directory.placement(name)
        if placed is not None and placed.moving_to is not None:
            raise ValidationError(f"customer {name!r} is moving: run the move again first", field="name")
        home = self.home(name)
        if placed is not None:
            self._directory.remove(name)
            self._after_step("directory")
        with tenants_of(home) as tenants:
            return tenants.delete(name), home

    def home(self, raw_name: str, *, changing: bool = False) -> Cell:
        """The customer's own cell: the directory's placement, else (a create cut short) the cell whose
        registry holds it.  ``changing`` refuses a customer being moved: the move's register step
        writes the source cell's registry entry into the new cell, so a key or tier changed in
        between would be lost, and a table restored or repaired after its copy left behind."""
        name = normalize_customer(raw_name)
        placed = self._directory.placement(name)
        if changing and placed is not None and placed.moving_to is not None:
            raise ValidationError(
                f"customer {name!r} is being moved to {placed.moving_to}; run again when the move ends",
                field="name",
            )
        home = self._cells.get(placed.cell) if placed is not None else self._unplaced_home(name)
        if home is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        return home

    def rotate_key(self, raw_name: str) -> tuple[str, Cell]:
        """A new key in the customer's cell's registry, the only place its keys are checked."""
        home = self.home(raw_name, changing=True)
        with tenants_of(home) as tenants:
            return tenants.rotate_key(raw_name), home

    def set_tier(self, raw_name: str, tier: str) -> Cell:
        home = self.home(raw_name, changing=True)
        with tenants_of(home) as tenants:
            tenants.set_tier(raw_name, tier)
        return home

    def check(self, raw_names: list[str], *, repair: bool) -> list[tuple[str, Cell, Report]]:
        """Each named customer's table checked in its own cell, every name resolved before any table
        is read (a typo never half-runs a repair); with none named, every cell's customers."""
        homes = [(name, self.home(name, changing=repair)) for name in raw_names]
        found: list[tuple[str, Cell, Report]] = []
        for cell in self._cells.cells:
            names = [name for name, home in homes if home.name == cell.name]
            if raw_names and not names:
                continue
            with registry_of(cell) as registry, store_of(cell) as store:
                reports = check_customers(registry, store, names, repair=repair)
            found.extend((name, cell, report) for name, report in reports)
        return found

    def placements(self) -> list[Placement]:
        return self._directory.placements()

    def registered(self) -> list[Listed]:
        """Every cell's customers from the cell's own registry, by cell: a customer is wherever its
        table and keys are, which the directory alone does not show."""
        routes = {p.customer: p.cell for p in self._directory.placements() if p.moving_to is None}
        found: list[Listed] = []
        for cell in self._cells.cells:
            with registry_of(cell) as registry:
                for customer, keys in registry.list_customers_with_keys():
                    found.append(Listed(cell.name, customer, keys, routes.get(customer.name) == cell.name))
        return found

    def add_hosts(self, raw_name: str, raw_hosts: list[str]) -> dict[str, bool]:
        """Maps custom domains to a placed customer in the directory, every host checked (its form,
        and that no other customer holds it) before any is written; host -> whether it is new."""
        name = normalize_customer(raw_name)
        hosts = list(dict.fromkeys(validate_host(raw) for raw in raw_hosts))
        if self._directory.placement(name) is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        held = self._directory.hosts()
        for host in hosts:
            if held.get(host, name) != name:
                raise ValidationError(f"host {host!r} belongs to customer {held[host]!r}", field="host")
        return {host: self._directory.add_host(host, name) for host in hosts}

    def remove_hosts(self, raw_hosts: list[str]) -> dict[str, str]:
        """Unmaps custom domains from the directory, every one checked first; host -> its customer."""
        hosts = list(dict.fromkeys(validate_host(raw) for raw in raw_hosts))
        held = self._directory.hosts()
        for host in hosts:
            if host not in held:
                raise NotFoundError(f"no customer has host {host!r}", field="host")
        return {host: self._directory.remove_host(host) for host in hosts}

    def _unplaced_home(self, name: str) -> Cell | None:
        """The cell whose registry holds ``name`` though the directory does not: a run cut short."""
        for cell in self._cells.cells:
            with registry_of(cell) as registry:
                if registry.get_customer(name) is not None:
                    return cell
        return None

    @staticmethod
    def _finish(home: Cell, name: str, tier: str | None) -> CreatedCustomer:
        """Onboarding in AWS resumes a ``provisioning`` customer itself; an active one only lacks a
        key anyone saw."""
        with registry_of(home) as registry:
            record = registry.get_customer(name)
        with tenants_of(home) as tenants:
            if record is None or record.status != "active":
                return tenants.create(name, tier)
            return CreatedCustomer(record, tenants.rotate_key(name))
