"""The admin CLI against AWS and against a local stack.

The CLI runs as an operator runs it against AWS (``--store dynamodb``, no ``--dynamodb-endpoint``),
with botocore's standard ``AWS_ENDPOINT_URL_DYNAMODB`` pointing it at moto's server.  In AWS the
onboarding operation makes and removes tables (``test_tenants_onboarding``); a table Terraform made
before issue #23 (as the customer_table module made them, deletion protection included) is taken
over.  On a local stack (an explicit endpoint) the CLI creates and drops plain tables, and refuses
a protected one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import boto3
import pytest

from reservations.domain.errors import ValidationError
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore
from reservations.stores.dynamodb_client import make_client
from tests.terraform.hcl import child
from tests.terraform.test_store_layout import create_table_as_terraform


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def admin(moto_endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")


def terraform_table(admin: Any, name: str, ttl: str | None = "expires_at") -> None:
    create_table_as_terraform(admin, name, ttl)
    protected = child("customer_table").variables["deletion_protection"]["default"]
    admin.update_table(TableName=name, DeletionProtectionEnabled=protected)


def tenants(
    endpoint: str, prefix: str, *args: str, aws: bool = True, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI against AWS (endpoint by botocore's own variable) or against a local stack."""
    env = {
        **os.environ,
        "RESERVATIONS_STORE": "dynamodb",
        "RESERVATIONS_TABLE_PREFIX": prefix,
        **(extra or {}),
    }
    env.pop("RESERVATIONS_DYNAMODB_ENDPOINT", None)
    if aws:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    else:
        env["RESERVATIONS_DYNAMODB_ENDPOINT"] = endpoint
    return subprocess.run(
        [sys.executable, "-m", "reservations", "tenants", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def listed(endpoint: str, prefix: str, aws: bool = True) -> list[str]:
    result = tenants(endpoint, prefix, "list", "--json", aws=aws)
    assert result.returncode == 0, result.stderr
    return [c["customer"] for c in json.loads(result.stdout)]


def exists(admin: Any, table: str) -> bool:
    return table in admin.list_tables()["TableNames"]


@pytest.mark.slow
def test_in_aws_a_table_terraform_made_before_the_hand_over_is_taken_over(
    moto_endpoint: str, prefix: str, admin: Any
) -> None:
    """A deployment from before issue #23: Terraform made the customer's table (its `removed` block
    keeps it); `tenants create` completes it instead of failing, and `delete` backs it up and drops it."""
    terraform_table(admin, f"{prefix}reservations-customers", ttl=None)
    terraform_table(admin, f"{prefix}star-reservations")
    kms = boto3.client("kms", endpoint_url=moto_endpoint, region_name="us-east-1")
    deployment = {
        "RESERVATIONS_TABLE_KMS_KEY_ARN": kms.create_key()["KeyMetadata"]["Arn"],
        "RESERVATIONS_BACKUP_TAG": "reservations",
    }
    created = tenants(moto_endpoint, prefix, "create", "star", "--json", extra=deployment)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["api_key"].startswith("rsv_")
    assert listed(moto_endpoint, prefix) == ["star"]
    table = admin.describe_table(TableName=f"{prefix}star-reservations")["Table"]
    assert table["DeletionProtectionEnabled"] is True
    tags = {t["Key"]: t["Value"] for t in admin.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags["reservations/customer"] == "star"

    deleted = tenants(moto_endpoint, prefix, "delete", "star", "--yes", extra=deployment)
    assert deleted.returncode == 0, deleted.stderr
    assert "Final backup" in deleted.stdout
    assert listed(moto_endpoint, prefix) == []  # keys revoked, customer unregistered
    assert not exists(admin, f"{prefix}star-reservations")


@pytest.mark.slow
def test_on_a_local_stack_a_protected_table_is_refused_in_one_line_and_nothing_changes(
    moto_endpoint: str, prefix: str, admin: Any
) -> None:
    assert tenants(moto_endpoint, prefix, "create", "star", aws=False).returncode == 0
    table = f"{prefix}star-reservations"
    admin.update_table(TableName=table, DeletionProtectionEnabled=True)
    refused = tenants(moto_endpoint, prefix, "delete", "star", "--yes", aws=False)
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "deletion protection" in line
    assert "nothing was changed" in line
    assert listed(moto_endpoint, prefix, aws=False) == ["star"]
    assert exists(admin, table)

    admin.update_table(TableName=table, DeletionProtectionEnabled=False)
    assert tenants(moto_endpoint, prefix, "delete", "star", "--yes", aws=False).returncode == 0
    assert not exists(admin, table)
    assert listed(moto_endpoint, prefix, aws=False) == []


def test_the_store_refuses_to_drop_a_protected_table_with_a_domain_error(
    moto_endpoint: str, admin: Any
) -> None:
    """Protection switched on between the check and the drop: still one clear error, not a crash."""
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint)
    store = DynamoDBStore(make_client(settings), owns_client=True)
    store.create_table("race-reservations")
    admin.update_table(TableName="race-reservations", DeletionProtectionEnabled=True)
    info = store.table_info("race-reservations")
    assert info is not None
    assert info.deletion_protection
    with pytest.raises(ValidationError, match="deletion protection"):
        store.drop_table("race-reservations")
    assert exists(admin, "race-reservations")
    assert store.table_info("missing-reservations") is None
    store.close()
