"""Restoring a customer: a new table from a backup or a point in time, then the registry switched to it.

The customer's registry entry names its table; requests resolve the table through it (see
``wiring``), so switching that one attribute moves the customer to the restored copy. The old table
is never deleted here: whatever was written to it after the restore point is still there to be
looked at (or copied over by hand) before someone deletes it on purpose.

Restored tables are named ``<prefix><customer>.r<UTC timestamp to the ms>-reservations``. The ``.`` cannot
occur in a customer name, so no restored table can ever be mistaken for another customer's, and
the name still matches the functions' IAM pattern ``<prefix>*-reservations``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.tenancy import normalize_customer

if TYPE_CHECKING:
    from reservations.settings import Settings
    from reservations.stores.dynamodb_registry import DynamoDBRegistry
    from reservations.stores.dynamodb_restore import RestoreState, TableRestore
    from reservations.stores.protocols import CustomerRecord


def restored_table_name(settings: Settings, customer: str, now: datetime) -> str:
    """``<prefix><customer>.r<YYYYMMDDhhmmssfff>-reservations``: when it was started, to the ms."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:-3]
    return f"{settings.table_prefix}{customer}.r{stamp}-reservations"


def is_customers_table(settings: Settings, customer: str, table: str) -> bool:
    """The customer's original table or one of its restored copies, never another customer's."""
    if table == settings.table_for(customer):
        return True
    pattern = re.escape(f"{settings.table_prefix}{customer}") + r"\.r\d{17}-reservations"
    return re.fullmatch(pattern, table) is not None


def parse_restore_time(raw: str) -> datetime | None:
    """An ISO 8601 timestamp with its offset (``Z`` allowed), or ``latest`` (``None``)."""
    text = raw.strip()
    if text.lower() == "latest":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"--to-time {raw!r} is not an ISO 8601 timestamp (e.g. 2026-11-29T06:30:00Z) or 'latest'",
            field="to_time",
        ) from None
    if moment.tzinfo is None:
        raise ValidationError(
            f"--to-time {raw!r} has no UTC offset: add Z or +HH:MM so the moment is unambiguous",
            field="to_time",
        )
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Started:
    customer: str
    source_table: str  # the table the customer uses now
    target_table: str
    restored_from: str  # backup ARN, or "<table> at <time>"


class CustomerRestore:
    def __init__(self, registry: DynamoDBRegistry, tables: TableRestore, settings: Settings) -> None:
        self._registry = registry
        self._tables = tables
        self._settings = settings

    def _customer(self, raw_name: str) -> CustomerRecord:
        name = normalize_customer(raw_name)
        customer = self._registry.get_customer(name)
        if customer is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        return customer

    def start(
        self,
        raw_name: str,
        *,
        backup_arn: str | None = None,
        moment: datetime | None = None,
        now: datetime | None = None,
    ) -> Started:
        """Starts the restore; ``backup_arn`` or else a point in time (``None``: the latest)."""
        customer = self._customer(raw_name)
        if backup_arn is not None:
            if not backup_arn.startswith("arn:") or ":dynamodb:" not in backup_arn:
                raise ValidationError(
                    f"{backup_arn!r} is not a DynamoDB backup ARN (an AWS Backup recovery point is"
                    " restored with `aws backup start-restore-job`, then switched with --resume TABLE)",
                    field="from_backup",
                )
            source = self._tables.backup_source_table(backup_arn)
            if not is_customers_table(self._settings, customer.name, source):
                raise ValidationError(
                    f"backup {backup_arn} is of table {source}, not of customer {customer.name!r}",
                    field="from_backup",
                )
            restored_from = backup_arn
        else:
            self._tables.check_point_in_time(customer.table, moment)
            restored_from = (
                f"{customer.table} at {moment.isoformat() if moment else 'latest restorable time'}"
            )
        target = restored_table_name(self._settings, customer.name, now or datetime.now(UTC))
        self._tables.start(customer.table, target, backup_arn=backup_arn, moment=moment)
        return Started(customer.name, customer.table, target, restored_from)

    def state(self, table: str) -> RestoreState:
        return self._tables.status(table)

    def switch(self, raw_name: str, table: str, restored_from: str | None = None) -> str:
        """Finishes the restored table's settings and points the customer at it; returns the old table.

        Refuses a table that is not the customer's own copy or is not ready yet.
        """
        customer = self._customer(raw_name)
        if not is_customers_table(self._settings, customer.name, table) or table == customer.table:
            raise ValidationError(
                f"{table} is not a restored copy of customer {customer.name!r}'s table (expected"
                f" {self._settings.table_prefix}{customer.name}.r<YYYYMMDDhhmmssfff>-reservations)",
                field="table",
            )
        state = self._tables.status(table)
        if not state.ready:
            raise ValidationError(
                f"table {table} is {state.status}{' (restore in progress)' if state.in_progress else ''};"
                " switch once it is ACTIVE",
                field="table",
            )
        self._tables.finish(customer.table, table, restored_from or state.source or "unknown")
        self._registry.switch_table(customer.name, customer.table, table)
        return customer.table
