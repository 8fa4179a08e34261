"""Moving a customer to another cell (rebalancing, or a noisy neighbour), without losing or doubling
an acknowledged write.

mark (the directory's ``moving_to``: every edge refuses the customer's writes with 503 and
``Retry-After`` from its next poll, reads go on in the old cell) → settle (``Cells.settle_s``: every
edge has seen the mark and every write it let through before has been answered) → copy (the table,
item for item, into the new cell, again until the source reads the same after a copy) → register
(the customer and its key in the new cell's registry) → switch (the directory, one conditional
write: requests go to the new cell from each edge's next poll) → retire (after another settle, the
source is checked unchanged, then unregistered and dropped).

Each step is idempotent and the directory says how far a move got, so a move killed anywhere is
finished by running it again.  Writes are refused from mark to switch: that is the figure
``switch_s`` (docs/reliability.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from reservations.cells.config import Cell, Cells
from reservations.cells.placement import registry_of, store_of, tenants_of
from reservations.domain.errors import NotFoundError, UnavailableError, ValidationError
from reservations.domain.tenancy import normalize_customer
from reservations.stores.directory import Directory
from reservations.stores.dynamodb_copy import TableCopier
from reservations.tenants.admin import DEFAULT_TIER

_COPIES = 5


def _no_hook(step: str) -> None:
    return None


@dataclass(frozen=True)
class Moved:
    customer: str
    from_cell: str
    to_cell: str
    items: int  # the table's items copied
    switch_s: float  # writes refused: from the mark to the switch


class Mover:
    def __init__(
        self,
        cells: Cells,
        directory: Directory,
        *,
        sleep: Callable[[float], None] = time.sleep,
        after_step: Callable[[str], None] = _no_hook,
    ) -> None:
        self._cells = cells
        self._directory = directory
        self._sleep = sleep
        self._after_step = after_step

    def move(self, raw_name: str, to: str) -> Moved:
        name = normalize_customer(raw_name)
        target = self._cells.get(to)
        placed = self._directory.placement(name)
        if placed is None:
            raise NotFoundError(f"customer {name!r} is in no cell", field="name")
        if placed.cell == to and placed.moving_to is None:
            return self._finish_retiring(name, target)
        source = self._cells.get(placed.cell)
        if placed.moving_to is None:
            self._refuse_a_waiting_restore(source, name)
            self._refuse_an_unknown_tier(source, target, name)
        started = time.monotonic()
        self._directory.begin_move(name, to)
        self._after_step("mark")
        self._sleep(self._cells.settle_s)
        table, copied, digest = self._copy(source, target, name)
        self._after_step("copy")
        self._register(source, target, name)
        self._after_step("register")
        self._directory.finish_move(name)
        switch_s = time.monotonic() - started
        self._after_step("switch")
        self._sleep(self._cells.settle_s)
        self._retire(source, name, table, digest)
        self._after_step("retire")
        return Moved(name, source.name, target.name, copied, switch_s)

    @staticmethod
    def _refuse_a_waiting_restore(source: Cell, name: str) -> None:
        """A restore started in the source cell and not switched to would be left behind: its
        ``--resume`` looks for the table in the customer's cell, which is then the other one."""
        settings = source.settings()
        if settings.store != "dynamodb":
            return  # restores are DynamoDB's
        from reservations.stores.dynamodb_client import make_client
        from reservations.stores.dynamodb_restore import TableRestore

        client = make_client(settings)
        try:
            waiting = TableRestore(client).unswitched(f"{settings.table_prefix}{name}.r")
        finally:
            client.close()
        if waiting:
            state = waiting[0]
            raise ValidationError(
                f"customer {name!r} has a restore waiting in cell {source.name!r} (table {state.table},"
                f" {state.status}{', restoring' if state.in_progress else ''}): switch to it with"
                f" `reservations tenants restore {name} --resume {state.table}`, or delete that table,"
                " then move",
                field="name",
            )

    @staticmethod
    def _refuse_an_unknown_tier(source: Cell, target: Cell, name: str) -> None:
        """Checked before the mark: found at the register step, the customer's writes would stay
        refused until the target cell had that tier's usage plan."""
        plans = json.loads(target.settings().usage_plans or "{}")
        if not plans:
            return  # a local cell: no usage plans, no tiers
        with registry_of(source) as registry:
            record = registry.get_customer(name)
        tier = (record.tier if record is not None else None) or DEFAULT_TIER
        if tier not in plans:
            raise ValidationError(
                f"cell {target.name!r} has no usage plan for {name!r}'s tier {tier!r}"
                f" (its tiers: {', '.join(sorted(plans))}): set another tier first, or add the plan there",
                field="to",
            )

    def _copy(self, source: Cell, target: Cell, name: str) -> tuple[str, int, str]:
        """The source table into the target cell's table of the customer (its own prefix, which its
        cell's tenant policy reaches); the source table's name, the items and their digest."""
        with registry_of(source) as registry:
            record = registry.get_customer(name)
        if record is None:
            raise NotFoundError(f"customer {name!r} is not in cell {source.name!r}", field="name")
        with tenants_of(target) as tenants:  # in AWS made as onboarding makes a table there
            target_table = tenants.make_table(name)
        copier = TableCopier.between(source.settings(), target.settings())
        try:
            for _ in range(_COPIES):
                copied, digest = copier.copy(record.table, target_table)
                if copier.digest(record.table) == digest:
                    return record.table, copied, digest
        finally:
            copier.close()
        raise UnavailableError("the customer's table kept changing during the move; run it again")

    @staticmethod
    def _register(source: Cell, target: Cell, name: str) -> None:
        """The customer as it is in the source (status, tier, its one key) in the target's registry,
        with its table there, and in AWS its usage key in the target's plan for its tier."""
        with registry_of(source) as old:
            record = old.get_customer(name)
            keys = old.list_keys(name) if record is not None else []
        if record is None:
            return  # moved already, by a run cut short after this step
        if not keys:
            raise ValidationError(f"customer {name!r} has no API key in cell {source.name!r}", field="name")
        with tenants_of(target) as tenants:
            tenants.receive(record, keys[-1])

    def _finish_retiring(self, name: str, target: Cell) -> Moved:
        """A move cut short after its switch left the old cell's copy: retire it now (the switch was
        at least the run's settle ago, or this run is much later)."""
        left = [cell for cell in self._cells.cells if cell != target and self._holds(cell, name)]
        if not left:
            raise ValidationError(f"customer {name!r} is in cell {target.name!r} already", field="to")
        for cell in left:
            with registry_of(cell) as registry:
                record = registry.get_customer(name)
            self._retire(cell, name, record.table if record else cell.settings().table_for(name), None)
        return Moved(name, left[0].name, target.name, 0, 0.0)

    @staticmethod
    def _holds(cell: Cell, name: str) -> bool:
        with registry_of(cell) as registry:
            return registry.get_customer(name) is not None

    def _retire(self, source: Cell, name: str, table: str, digest: str | None) -> None:
        """Drops the old copy only if nothing reached it after the copy (an edge that could not read
        the directory for longer than the settle): else it is kept, and the move says so."""
        copier = TableCopier.between(source.settings(), source.settings())
        try:
            late = digest is not None and copier.digest(table) != digest
        except NotFoundError:
            late = False  # retired already
        finally:
            copier.close()
        if late:
            raise UnavailableError(
                f"a write reached {name!r}'s table in cell {source.name!r} after the copy: the old table "
                "is kept for a look before it is dropped"
            )
        with tenants_of(source) as tenants:
            if self._holds(source, name):
                # As `tenants delete` in that cell: in AWS a final backup, protection off, the table
                # dropped, the usage key out of its plan, then the registry entry.
                tenants.delete(name)
                return
        with store_of(source) as store:
            if store.table_info(table) is not None:
                store.drop_table(table)
