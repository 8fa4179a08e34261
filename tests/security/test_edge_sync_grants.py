"""The edge pods' custom-domain sync gets exactly the calls it makes (issue #23, goal 5).

Its role (terraform/modules/cell/edge_sync.tf) may GetItem and Query the registry's ``HOSTS`` partition only
(``dynamodb:LeadingKeys``): no key hash, no customer item.  Here the sync runs against moto's server
with every call it sends recorded (botocore's ``before-parameter-build`` hook sees the call's own
parameters): each operation must be granted, each partition key it reads ``HOSTS``, and every
granted action must be used (a grant nobody uses is privilege to remove).  In front of cells the same
role assumes the control account's directory read role (``directory_read_role_arn``): the STS calls
the directory sync makes are held to that statement the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reservations.cells.edge_sync import DirectorySync
from reservations.domain.parsing import now_utc
from reservations.domain.tenancy import new_api_key
from reservations.edge.sync import HostSync
from reservations.settings import Settings
from reservations.stores.dynamodb_assumed import assumed_role_credentials
from reservations.stores.dynamodb_client import make_client
from reservations.stores.dynamodb_directory import DynamoDBDirectory
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.stores.dynamodb_tenants import make_signing_client, make_sts_client
from reservations.stores.protocols import CustomerRecord
from reservations.tenants.admin import key_record
from tests.terraform.hcl import expression, root


def granted() -> tuple[set[str], set[str]]:
    """The DynamoDB actions of the sync's policy and the partition keys its condition allows."""
    policy = root().data[("aws_iam_policy_document", "edge_sync")]
    (dynamodb,) = [s for s in policy["statement"] if any(a.startswith("dynamodb:") for a in s["actions"])]
    assert expression(dynamodb["resources"][0]) == "module.registry_table.arn"
    (condition,) = dynamodb["condition"]
    assert condition["test"] == "ForAllValues:StringEquals"
    assert condition["variable"] == "dynamodb:LeadingKeys"
    return {a.removeprefix("dynamodb:") for a in dynamodb["actions"]}, set(condition["values"])


def test_the_sync_makes_only_granted_calls_on_the_hosts_partition(moto_endpoint: str, tmp_path: Path) -> None:
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="grants_")
    admin = DynamoDBRegistry.from_settings(settings)  # the operator's, not recorded
    admin.ensure_table()
    record = CustomerRecord(name="star", table="star-reservations", status="active", created_at=now_utc())
    admin.create_customer(record, key_record("star", new_api_key()))
    admin.add_host("book.star-hotel.example", "star")

    client = make_client(settings)
    calls: list[tuple[str, dict[str, Any]]] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb", lambda params, model, **_: calls.append((model.name, params))
    )
    sync = HostSync(
        DynamoDBRegistry(client, settings.registry_table_name), tmp_path / "tenants.map", tmp_path / "pid"
    )
    assert sync.poll() is True
    assert sync.poll() is False  # unchanged: the counter only
    admin.add_host("rooms.star-hotel.example", "star")
    assert sync.poll() is True
    assert "rooms.star-hotel.example star;" in (tmp_path / "tenants.map").read_text()

    actions, partitions = granted()
    made = {operation for operation, _ in calls}
    assert made == actions, f"made {made}, granted {actions}"
    for operation, params in calls:
        if operation == "GetItem":
            assert params["Key"]["pk"]["S"] in partitions
        else:
            assert params["ExpressionAttributeValues"][":pk"]["S"] in partitions
    admin.close()
    client.close()


def test_the_directory_sync_assumes_only_the_directory_read_role(moto_endpoint: str, tmp_path: Path) -> None:
    policy = root().data[("aws_iam_policy_document", "edge_sync")]
    (dynamic,) = [block["statement"] for block in policy["dynamic"]]
    assert expression(dynamic["for_each"]) == (
        "var.directory_read_role_arn == null ? [] : [var.directory_read_role_arn]"
    )
    (statement,) = dynamic["content"]
    assert [expression(r) for r in statement["resources"]] == ["statement.value"]
    granted_sts = {a.removeprefix("sts:") for a in statement["actions"]}

    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="grants_")
    DynamoDBDirectory(make_client(settings), "grants_reservations-directory").ensure_table()
    sts = make_sts_client(settings)
    calls: list[tuple[str, dict[str, Any]]] = []
    sts.meta.events.register(
        "before-parameter-build.sts", lambda params, model, **_: calls.append((model.name, params))
    )
    role = "arn:aws:iam::123456789012:role/reservations-directory-read"
    credentials = assumed_role_credentials(sts, role, "reservations-edge", lambda: datetime.now(UTC))
    directory = DynamoDBDirectory(make_signing_client(settings, credentials), "grants_reservations-directory")
    assert DirectorySync(directory, tmp_path, tmp_path / "nginx.pid", ("c1",)).poll()
    assert {operation for operation, _ in calls} == granted_sts
    assert {params["RoleArn"] for _, params in calls} == {role}  # the statement's one resource
    directory.close()
    sts.close()
