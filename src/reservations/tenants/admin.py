"""The admin use cases behind ``reservations tenants``: customers and their API keys made, rotated,
removed, and their custom domains mapped."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import now_utc
from reservations.domain.tenancy import (
    hash_key,
    new_api_key,
    normalize_customer,
    validate_customer_name,
    validate_host,
)
from reservations.settings import Settings
from reservations.stores.protocols import CustomerRecord, KeyRecord, Registry, Store, protected_message

if TYPE_CHECKING:
    from reservations.tenants.onboarding import Onboarding


def key_record(customer: str, api_key: str) -> KeyRecord:
    digest = hash_key(api_key)
    return KeyRecord(key_hash=digest, customer=customer, key_id=digest[:12], created_at=now_utc())


def masked(api_key: str) -> str:
    """How a key is shown after creation: its last four characters only."""
    return f"…{api_key[-4:]}"


@dataclass(frozen=True)
class CreatedCustomer:
    customer: CustomerRecord
    api_key: str  # shown once, never stored


DEFAULT_TIER = "standard"  # a customer's usage plan in AWS unless told otherwise


@dataclass(frozen=True)
class Removed:
    customer: CustomerRecord
    backups: tuple[str, ...] = ()  # in AWS: the ARN of each of its tables' final backup


class Tenants:
    """Admin use cases behind ``reservations tenants``; tables are made here, never from a request.

    In AWS (``onboarding``) creating and deleting a customer are the resumable onboarding
    operation (``tenants.onboarding``); locally they are a table (or file) and a registry entry."""

    def __init__(
        self, registry: Registry, store: Store, settings: Settings, onboarding: Onboarding | None = None
    ) -> None:
        self._registry = registry
        self._store = store
        self._settings = settings
        self._onboarding = onboarding

    def create(self, raw_name: str, tier: str | None = None) -> CreatedCustomer:
        """Registers a customer with its first key and makes its table; in AWS its usage key joins
        ``tier``'s usage plan (locally there are no usage plans, so no tier either)."""
        if self._onboarding is not None:
            return self._onboarding.create(raw_name, tier or DEFAULT_TIER)
        if tier is not None:
            raise ValidationError("--tier is for AWS, where usage plans throttle by tier", field="tier")
        name = validate_customer_name(normalize_customer(raw_name))
        if self._registry.get_customer(name) is not None:
            raise ValidationError(f"customer {name!r} already exists", field="name")
        table = self._settings.table_for(name)
        self._store.create_table(table)
        api_key = new_api_key()
        record = CustomerRecord(name=name, table=table, status="active", created_at=now_utc())
        self._registry.create_customer(record, key_record(name, api_key))
        return CreatedCustomer(record, api_key)

    def make_table(self, raw_name: str) -> str:
        """The customer's table, empty, as this deployment makes one (a move copies into it): in AWS
        as onboarding makes it (its key, backup tag, recovery, protection)."""
        name = normalize_customer(raw_name)
        if self._onboarding is not None:
            return self._onboarding.make_table(name)
        table = self._settings.table_for(name)
        self._store.create_table(table)
        return table

    def receive(self, record: CustomerRecord, key: KeyRecord) -> None:
        """A customer moved in from another deployment: registered as it was there, with its key and
        this deployment's table; in AWS its usage key joins its tier's plan here too, since the
        authorizer names that key to API Gateway, which refuses one no plan of its stage holds.
        Idempotent: a move cut short runs it again."""
        if self._registry.get_customer(record.name) is None:
            self._registry.create_customer(replace(record, table=self._settings.table_for(record.name)), key)
        if self._onboarding is not None:
            self._onboarding.ensure_usage(record.name, record.tier or DEFAULT_TIER)

    def set_tier(self, raw_name: str, tier: str) -> None:
        if self._onboarding is None:
            raise ValidationError("tiers are for AWS, where usage plans throttle by tier", field="tier")
        self._onboarding.set_tier(raw_name, tier)

    def rotate_key(self, raw_name: str) -> str:
        name = normalize_customer(raw_name)
        if self._registry.get_customer(name) is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        api_key = new_api_key()
        self._registry.replace_keys(name, key_record(name, api_key))
        return api_key

    def delete(self, raw_name: str) -> Removed:
        """Revokes the customer's keys, unregisters it and drops its table; locally after checking
        deletion protection so a refusal changes nothing, in AWS after a final backup (the
        operation switches protection off itself)."""
        if self._onboarding is not None:
            return self._onboarding.delete(raw_name)
        name = normalize_customer(raw_name)
        customer = self._registry.get_customer(name)
        if customer is None:
            raise NotFoundError(f"no customer named {name!r}", field="name")
        info = self._store.table_info(customer.table)
        if info is not None and info.deletion_protection:
            raise ValidationError(protected_message(customer.table), field="name")
        self._registry.delete_customer(name)
        self._store.drop_table(customer.table)
        return Removed(customer)

    def add_hosts(self, raw_name: str, raw_hosts: list[str]) -> dict[str, bool]:
        """Maps custom domains to the customer, all checked before any is written; host -> whether
        it is new (adding one it has already is not an error, so a rerun finishes a run)."""
        name = normalize_customer(raw_name)
        hosts = [validate_host(raw) for raw in raw_hosts]
        return {host: self._registry.add_host(host, name) for host in dict.fromkeys(hosts)}

    def remove_hosts(self, raw_hosts: list[str]) -> dict[str, str]:
        """Unmaps custom domains; host -> the customer it was mapped to."""
        hosts = [validate_host(raw) for raw in raw_hosts]
        return {host: self._registry.remove_host(host) for host in dict.fromkeys(hosts)}

    def hosts(self) -> dict[str, str]:
        return self._registry.list_hosts()

    def list(self) -> list[tuple[CustomerRecord, list[KeyRecord]]]:
        return self._registry.list_customers_with_keys()
