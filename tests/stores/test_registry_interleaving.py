"""The registry's read-then-write: a key rotation committing between a customer delete's read of
its keys and its transaction must not leave a key behind (it would work again for a new customer
of that name).  DynamoDB only: SQLite's registry reads inside its ``BEGIN IMMEDIATE``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBRegistry
from reservations.stores.dynamodb_client import make_client
from reservations.stores.protocols import CustomerRecord
from reservations.tenants.admin import key_record
from tests.stores.interleave import Gap, Outcome, PausingClient

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def registry(moto_endpoint: str) -> Iterator[DynamoDBRegistry]:
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="test_")
    client = make_client(settings)
    made = DynamoDBRegistry(client, settings.registry_table_name)
    made.ensure_table()
    yield made
    client.close()


def test_a_rotation_between_a_customer_deletes_read_and_write_leaves_no_key(registry: DynamoDBRegistry):
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_1"))
    rotated = key_record("star", "rsv_2")
    rotation = Outcome()
    gap = Gap(lambda: rotation.ran(lambda: registry.replace_keys("star", rotated)))
    registry._client = PausingClient(registry._client, gap)
    gap.armed = True
    registry.delete_customer("star")
    assert gap.opened
    rotation.result()
    assert registry.get_customer("star") is None
    assert registry.key_and_customer(rotated.key_hash)[0] is None
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_3"))
    assert registry.key_and_customer(rotated.key_hash)[0] is None


def test_a_host_added_between_a_customer_deletes_read_and_write_goes_too(registry: DynamoDBRegistry):
    """A custom domain left behind would map to a new customer of the same name (issue #23, goal 5)."""
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_1"))
    added = Outcome()
    gap = Gap(lambda: added.ran(lambda: registry.add_host("book.star-hotel.example", "star")))
    registry._client = PausingClient(registry._client, gap)
    gap.armed = True
    registry.delete_customer("star")
    assert gap.opened
    added.result()
    assert registry.get_customer("star") is None
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_3"))
    assert registry.list_hosts() == {}
