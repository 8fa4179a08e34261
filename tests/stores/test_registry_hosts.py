"""Custom domains in the registry (issue #23, goal 5), on every real registry: SQLite and DynamoDB
(moto's server).  The edge's sync relies on three things: a host belongs to one customer, the change
counter moves with every change (a customer's deletion included), and the list is the whole map."""

from __future__ import annotations

import pytest

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.domain.parsing import now_utc
from reservations.domain.tenancy import new_api_key
from reservations.stores.protocols import CustomerRecord, Registry
from reservations.tenants.admin import key_record


def register(registry: Registry, name: str) -> None:
    record = CustomerRecord(name=name, table=f"{name}-reservations", status="active", created_at=now_utc())
    registry.create_customer(record, key_record(name, new_api_key()))


def test_hosts_map_to_one_customer_each(registry: Registry) -> None:
    register(registry, "star")
    register(registry, "moon")
    assert registry.list_hosts() == {}
    start = registry.hosts_version()

    assert registry.add_host("book.star-hotel.com", "star") is True
    assert registry.add_host("star.example.org", "star") is True
    assert registry.add_host("moon.example.org", "moon") is True
    assert registry.add_host("book.star-hotel.com", "star") is False  # again: nothing changes
    assert registry.hosts_version() == start + 3

    with pytest.raises(ValidationError, match="belongs to customer 'star'"):
        registry.add_host("book.star-hotel.com", "moon")
    with pytest.raises(NotFoundError):
        registry.add_host("nobody.example.org", "nobody")
    assert registry.hosts_version() == start + 3  # refusals change nothing

    assert registry.list_hosts() == {
        "book.star-hotel.com": "star",
        "moon.example.org": "moon",
        "star.example.org": "star",
    }

    assert registry.remove_host("star.example.org") == "star"
    with pytest.raises(NotFoundError):
        registry.remove_host("star.example.org")
    assert registry.hosts_version() == start + 4
    assert registry.list_hosts() == {"book.star-hotel.com": "star", "moon.example.org": "moon"}


def test_a_deleted_customers_hosts_go_with_it(registry: Registry) -> None:
    register(registry, "star")
    register(registry, "moon")
    registry.add_host("book.star-hotel.com", "star")
    registry.add_host("moon.example.org", "moon")
    before = registry.hosts_version()

    registry.delete_customer("star")

    assert registry.list_hosts() == {"moon.example.org": "moon"}
    assert registry.hosts_version() > before  # the edge's sync sees the change
    # The host is free again, for anyone; a new customer of the old name does not inherit it.
    register(registry, "star")
    assert registry.list_hosts() == {"moon.example.org": "moon"}
    assert registry.add_host("book.star-hotel.com", "moon") is True


def test_hosts_do_not_show_up_as_customers_or_keys(registry: Registry) -> None:
    register(registry, "star")
    registry.add_host("book.star-hotel.com", "star")
    assert [customer.name for customer in registry.list_customers()] == ["star"]
    assert len(registry.list_keys("star")) == 1


def test_every_customer_is_listed_with_its_keys_in_one_read(registry: Registry) -> None:
    """``tenants list``'s one read gives what a Query per customer gives: the same customers, each
    with its own keys (a rotation's new one included), and no host or key-owner item as either."""
    register(registry, "star")
    register(registry, "moon")
    register(registry, "sun")
    registry.replace_keys("moon", key_record("moon", new_api_key()))
    registry.add_host("book.star-hotel.com", "star")
    listed = registry.list_customers_with_keys()
    assert listed == [(c, registry.list_keys(c.name)) for c in registry.list_customers()]
    assert [(c.name, [k.customer for k in keys]) for c, keys in listed] == [
        ("moon", ["moon"]),
        ("star", ["star"]),
        ("sun", ["sun"]),
    ]
