"""Checking customers' tables for broken invariants (``reservations tenants check``).

Kept out of ``Tenants`` because it reads whole tables, which no other admin use case does: the
operator runs it after an incident, a restore or a "store damage" alarm (docs/operating.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reservations.domain.errors import NotFoundError
from reservations.domain.tenancy import normalize_customer

if TYPE_CHECKING:
    from reservations.stores.consistency import Report
    from reservations.stores.protocols import Registry, Store


def check_customers(
    registry: Registry, store: Store, names: list[str], *, repair: bool
) -> list[tuple[str, Report]]:
    """Each named customer's table checked (every customer's when ``names`` is empty), in order.

    An unknown name is refused before any table is read, so a typo never half-runs a repair.
    """
    if names:
        customers = []
        for raw in names:
            name = normalize_customer(raw)
            customer = registry.get_customer(name)
            if customer is None:
                raise NotFoundError(f"no customer named {name!r}", field="name")
            customers.append(customer)
    else:
        customers = registry.list_customers()
    return [(c.name, store.check(c.table, repair=repair)) for c in customers]
