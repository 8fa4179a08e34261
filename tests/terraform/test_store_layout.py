"""Terraform's tables work with the real DynamoDB store, and its IAM actions cover what the code calls.

The tables are created on moto's server exactly as the customer_table module describes them (keys,
attribute types, billing, TTL, read from the parsed HCL; the registry's name from the root, a
customer's as `tenants create` names it, Terraform making none since issue #23), then the admin CLI's use case
registers a customer on them and the application and authorizer code paths run against them with
every DynamoDB operation recorded.  Each recorded operation must be allowed by the deployed policy
for that role (rendered from the iam module's template): a missing action would only show up in
AWS, as AccessDenied.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from reservations.domain.change import ReservationChange
from reservations.domain.reservation import ListQuery, NewReservation
from reservations.domain.rooms import Availability, Room, RoomQuery
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore
from reservations.stores.dynamodb_items import TTL_ATTRIBUTE
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.stores.protocols import IdempotencyClaim
from reservations.tenants.admin import Tenants
from reservations.tenants.auth import authorize
from tests.aws_calls import iam_actions as needed_actions
from tests.security.deployed import deployed

from .hcl import child, root

PREFIX = "tf_"


def render(template: str, **values: str) -> str:
    """Substitutes the simple ``${var.x}`` / ``${each.key}`` references of a name expression."""
    for reference, value in values.items():
        template = template.replace("${" + reference + "}", value)
    assert "${" not in template, template
    return template


def granted(function: str, role: str) -> set[str]:
    """The IAM actions the deployed policy of a function's role (or its tenant role) allows."""
    document = deployed()[function][role]
    return {action for statement in document["Statement"] for action in statement["Action"]}


def create_table_as_terraform(client: Any, name: str, ttl_attribute: str | None) -> None:
    module = child("customer_table")
    table = module.resource("aws_dynamodb_table", "this")
    hash_key = module.variables["hash_key"]["default"]
    range_key = module.variables["range_key"]["default"]
    types = [attribute["type"] for attribute in table["attribute"]]
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": hash_key, "AttributeType": types[0]},
            {"AttributeName": range_key, "AttributeType": types[1]},
        ],
        BillingMode=table["billing_mode"],
    )
    if ttl_attribute is not None:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
        )


class Recorder:
    """Every DynamoDB operation a client makes, as the IAM actions it needs (a transaction: its items')."""

    def __init__(self, client: Any) -> None:
        self.actions: set[str] = set()
        client.meta.events.register("before-parameter-build.dynamodb", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.actions.update(needed_actions("dynamodb", model.name, params)[0])


@pytest.fixture
def terraform_tables(moto_endpoint: str) -> Iterator[tuple[Settings, str, str]]:
    customer_table = f"{PREFIX}star-reservations"
    registry_table = render(root().locals["registry_table_name"], **{"var.table_prefix": PREFIX})
    admin = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    create_table_as_terraform(admin, customer_table, TTL_ATTRIBUTE)
    create_table_as_terraform(admin, registry_table, root().module_calls["registry_table"]["ttl_attribute"])
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix=PREFIX)
    yield settings, customer_table, registry_table
    admin.close()


def test_terraform_names_are_the_stores_names(terraform_tables: tuple[Settings, str, str]) -> None:
    settings, customer_table, registry_table = terraform_tables
    assert settings.table_for("star") == customer_table == "tf_star-reservations"
    assert settings.registry_table_name == registry_table == "tf_reservations-customers"


def test_store_runs_on_terraform_tables_within_the_iam_policies(
    terraform_tables: tuple[Settings, str, str],
) -> None:
    settings, customer_table, registry_table = terraform_tables
    admin_store = DynamoDBStore.from_settings(settings)
    admin_registry = DynamoDBRegistry.from_settings(settings)
    try:
        created = Tenants(admin_registry, admin_store, settings).create("star")  # the README's step 4
    finally:
        admin_store.close()
        admin_registry.close()
    assert created.customer.table == customer_table

    authorizer_client = boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name="us-east-1"
    )
    authorizer_calls = Recorder(authorizer_client)
    registry = DynamoDBRegistry(authorizer_client, registry_table)
    assert authorize(registry, "Star ", created.api_key).name == "star"
    assert authorizer_calls.actions, "the authorizer read nothing"
    assert authorizer_calls.actions <= granted("authorizer", "role"), authorizer_calls.actions

    app_client = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name="us-east-1")
    app_calls = Recorder(app_client)
    store = DynamoDBStore(app_client)
    check_in = datetime.now(UTC).date() + timedelta(days=3)
    claim = IdempotencyClaim(key="k-1", fingerprint="f-1", expires_at=datetime.now(UTC) + timedelta(hours=24))
    added = store.add(
        customer_table,
        NewReservation(guest_name="Ada", room_number=101, nights=2, check_in=check_in),
        created_at=datetime.now(UTC).replace(microsecond=0),
        idempotency=claim,
    )
    reservation_id = added.reservation.reservation_id
    assert store.get(customer_table, reservation_id) is not None
    assert [r.reservation_id for r in store.list(customer_table, ListQuery()).items] == [reservation_id]
    # The front desk: rooms, availability and a change in place, within the same policy.
    assert store.put_room(customer_table, Room(101)) is True
    assert store.put_room(customer_table, Room(102, "Garden")) is True
    assert [r.room_number for r in store.list_rooms(customer_table, RoomQuery()).items] == [101, 102]
    assert store.free_rooms(customer_table, Availability(check_in, 2)) == [102]
    moved = store.change(customer_table, reservation_id, ReservationChange(room_number=102, nights=3))
    assert (moved.reservation_id, moved.room_number) == (reservation_id, 102)
    assert store.delete_room(customer_table, 101, check_in) == Room(101)
    store.delete(customer_table, reservation_id)
    assert store.get(customer_table, reservation_id) is None
    allowed = granted("list", "tenant") | granted("add", "tenant") | granted("delete", "tenant")
    assert {"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"} <= app_calls.actions
    assert app_calls.actions <= allowed, app_calls.actions - allowed
    app_client.close()
    authorizer_client.close()
