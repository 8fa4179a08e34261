"""Onboarding as an operation, not a deploy (issue #23): ``tenants create`` and ``delete`` in AWS.

Terraform used to own a table, an API key and a usage plan per customer, so adding a hotel meant
editing ``var.customers`` and applying, and the plan grew with every customer.  Now the admin
command makes the customer's table itself, with the settings Terraform's module gave it
(``stores.dynamodb_provision``), registers the customer and issues its key.

Each step is idempotent and the registry records how far the operation got (the customer's status
``provisioning`` until the last step, ``deleting`` from the first step of a removal; only
``active`` customers are served), so an operation killed between any two steps is finished by
running the same command again, and nothing is made twice:

create: ``table`` (create, or complete the table a killed run created) → ``register`` (the customer,
``provisioning``, with a key) → ``key`` (only when resuming: the killed run's key was never shown,
so a new one replaces it) → ``usage`` (its API Gateway usage key, in its tier's plan:
``tenants.usage``) → ``activate``.

delete: ``suspend`` (status ``deleting``: requests are refused from now on) → ``backup`` (an
on-demand backup of each of its tables, found again by name on a rerun) → ``tables`` (deletion
protection off, then dropped) → ``usage`` (its usage key) → ``unregister`` (keys and the customer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import now_utc
from reservations.domain.tenancy import new_api_key, normalize_customer, validate_customer_name
from reservations.stores.protocols import CustomerRecord, Registry
from reservations.tenants.admin import DEFAULT_TIER, CreatedCustomer, Removed, key_record
from reservations.tenants.usage import UsageKeys

if TYPE_CHECKING:
    from reservations.settings import Settings
    from reservations.stores.dynamodb_provision import TableProvisioner, TableSpec

PROVISIONING = "provisioning"
DELETING = "deleting"
CREATE_STEPS = ("table", "register", "key", "usage", "activate")
DELETE_STEPS = ("suspend", "backup", "tables", "usage", "unregister")


def _no_hook(step: str) -> None:
    return None


class Onboarding:
    """``after_step`` is called with each step's name once it is done (the crash tests stop there)."""

    def __init__(
        self,
        registry: Registry,
        provisioner: TableProvisioner,
        settings: Settings,
        *,
        usage: UsageKeys | None = None,
        after_step: Callable[[str], None] = _no_hook,
    ) -> None:
        self._registry = registry
        self._provisioner = provisioner
        self._settings = settings
        self._usage = usage
        self._after_step = after_step

    def _plan_of(self, tier: str) -> str | None:
        """The usage plan of ``tier``; ``None`` without usage plans (RESERVATIONS_USAGE_PLANS unset)."""
        if self._usage is None:
            return None
        plans = json.loads(self._settings.usage_plans or "{}")
        if tier not in plans:
            known = ", ".join(sorted(plans)) or "none"
            raise ValidationError(f"no tier named {tier!r} (tiers: {known})", field="tier")
        return str(plans[tier])

    def set_tier(self, raw_name: str, tier: str) -> None:
        """Moves the customer's usage key to ``tier``'s plan: its limits change at once."""
        name = normalize_customer(raw_name)
        plan = self._plan_of(tier)
        if self._usage is None or plan is None:
            raise ValidationError("no usage plans: set RESERVATIONS_USAGE_PLANS", field="tier")
        if self._registry.get_customer(name) is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        self._usage.move(name, plan, self._plan_ids())
        self._registry.set_tier(name, tier)  # after the move: a rerun after a crash finishes both

    def _plan_ids(self) -> list[str]:
        return [str(p) for p in json.loads(self._settings.usage_plans or "{}").values()]

    def _table_spec(self, name: str) -> TableSpec:
        """What the customer's table is made with; refused, naming the missing settings, without them."""
        from reservations.stores.dynamodb_provision import TableSpec

        kms_key_arn, backup_tag = self._settings.table_kms_key_arn, self._settings.backup_tag
        if not kms_key_arn or not backup_tag:
            raise ValidationError(
                "in AWS `tenants create` makes the customer's table as Terraform's module did: set "
                "RESERVATIONS_TABLE_KMS_KEY_ARN and RESERVATIONS_BACKUP_TAG (terraform outputs "
                "table_kms_key_arn and backup_tag)",
                field="store",
            )
        return TableSpec(self._settings.table_for(name), name, kms_key_arn, backup_tag)

    def make_table(self, name: str) -> str:
        """The customer's table as Terraform's module made it (the deployment's key, the backup tag,
        point-in-time recovery, deletion protection), or completed if a killed run left it half made."""
        spec = self._table_spec(name)
        self._provisioner.ensure(spec)
        return spec.name

    def ensure_usage(self, name: str, tier: str) -> None:
        """The customer's usage key in ``tier``'s plan (nothing without usage plans)."""
        plan = self._plan_of(tier)
        if self._usage is not None and plan is not None:
            self._usage.ensure(name, plan)

    def create(self, raw_name: str, tier: str = DEFAULT_TIER) -> CreatedCustomer:
        name = validate_customer_name(normalize_customer(raw_name))
        spec = self._table_spec(name)  # refused before anything without the deployment's settings
        plan = self._plan_of(tier)
        existing = self._registry.get_customer(name)
        if existing is not None and existing.status != PROVISIONING:
            raise ValidationError(f"customer {name!r} already exists", field="name")
        self._provisioner.ensure(spec)
        table = spec.name
        self._after_step("table")
        api_key = new_api_key()
        tier_held = tier if plan is not None else None  # no usage plans (locally): no tier
        record = CustomerRecord(name, table, PROVISIONING, now_utc(), tier_held)
        if existing is None:
            self._registry.create_customer(record, key_record(name, api_key))
            self._after_step("register")
        else:
            record = existing
            self._registry.replace_keys(name, key_record(name, api_key))
            self._after_step("key")
            if tier_held is not None and existing.tier != tier_held:
                self._registry.set_tier(name, tier_held)
                record = replace(record, tier=tier_held)
        self.ensure_usage(name, tier)
        self._after_step("usage")
        self._registry.set_status(name, "active")
        self._after_step("activate")
        return CreatedCustomer(replace(record, status="active"), api_key)

    def delete(self, raw_name: str) -> Removed:
        name = normalize_customer(raw_name)
        customer = self._registry.get_customer(name)
        if customer is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        self._registry.set_status(name, DELETING)
        self._after_step("suspend")
        # The table it uses now and, after a restore, the original it was moved off.
        tables = list(dict.fromkeys([customer.table, self._settings.table_for(name)]))
        backups = [self._provisioner.final_backup(table) for table in tables]
        self._after_step("backup")
        for table in tables:
            self._provisioner.drop(table)
        self._after_step("tables")
        if self._usage is not None:
            self._usage.remove(name, self._plan_ids())
        self._after_step("usage")
        self._registry.delete_customer(name)
        self._after_step("unregister")
        return Removed(customer, tuple(arn for arn in backups if arn))


def open_onboarding(settings: Settings, registry: Registry) -> Onboarding | None:
    """The operation where tables are the admin's to make in AWS (DynamoDB, no local endpoint)."""
    if settings.creates_tables:
        return None
    from reservations.stores.dynamodb_client import aws_client, make_client
    from reservations.stores.dynamodb_provision import TableProvisioner

    usage = None
    if settings.usage_plans:
        usage = UsageKeys(aws_client(settings, "apigateway"), settings.usage_key_prefix)
    return Onboarding(registry, TableProvisioner(make_client(settings)), settings, usage=usage)
