"""Onboarding as an operation in AWS (issue #23), on moto's server: ``tenants create`` makes the table
with Terraform's settings, ``tenants delete`` takes a final backup and removes everything; either
one stopped after any step and run again finishes with nothing made twice and nothing left over.

The stop is a ``BaseException`` raised from the step hook: like a kill, it runs none of the
operation's own code after the step (the operation has no clean-up to skip; it resumes instead).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest

from reservations.settings import Settings
from reservations.stores.dynamodb_client import make_client
from reservations.stores.dynamodb_provision import BACKUP_TAG, CUSTOMER_TAG, TableProvisioner
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.tenants.auth import authorize
from reservations.tenants.onboarding import CREATE_STEPS, DELETE_STEPS, Onboarding
from reservations.tenants.usage import UsageKeys

TIERS = ("standard", "premium")
USAGE_PREFIX = "reservations-usage-identifier-"


class Killed(BaseException):
    """The process died right after a step."""


@pytest.fixture
def admin(moto_endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def apigateway(moto_endpoint: str) -> Any:
    return boto3.client("apigateway", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def settings(moto_endpoint: str, apigateway: Any) -> Settings:
    """The deployment's values, as Terraform outputs them: its key, backup tag and tiers' plans."""
    kms = boto3.client("kms", endpoint_url=moto_endpoint, region_name="us-east-1")
    key_arn = kms.create_key(Description="the deployment's key")["KeyMetadata"]["Arn"]
    plans = {tier: apigateway.create_usage_plan(name=f"reservations-{tier}")["id"] for tier in TIERS}
    return Settings(
        store="dynamodb",
        table_prefix=f"t{uuid.uuid4().hex[:6]}_",
        table_kms_key_arn=key_arn,
        backup_tag="reservations",
        usage_plans=json.dumps(plans),
        usage_key_prefix=USAGE_PREFIX,
    )


@pytest.fixture
def registry(settings: Settings, moto_endpoint: str) -> Iterator[DynamoDBRegistry]:
    local = replace(settings, dynamodb_endpoint=moto_endpoint)
    opened = DynamoDBRegistry.from_settings(local)
    opened.ensure_table()  # Terraform's in AWS
    yield opened
    opened.close()


def onboarding(
    settings: Settings, moto_endpoint: str, registry: DynamoDBRegistry, kill_after: str | None = None
) -> Onboarding:
    def step(name: str) -> None:
        if name == kill_after:
            raise Killed(name)

    client = make_client(replace(settings, dynamodb_endpoint=moto_endpoint))
    apigateway = boto3.client("apigateway", endpoint_url=moto_endpoint, region_name="us-east-1")
    usage = UsageKeys(apigateway, USAGE_PREFIX)
    return Onboarding(registry, TableProvisioner(client), settings, usage=usage, after_step=step)


def usage_keys(apigateway: Any, settings: Settings) -> dict[str, list[str]]:
    """Tier -> the usage keys (values) in its plan."""
    plans = json.loads(settings.usage_plans or "{}")
    return {
        tier: sorted(k["value"] for k in apigateway.get_usage_plan_keys(usagePlanId=plan)["items"])
        for tier, plan in plans.items()
    }


def assert_onboarded(
    admin: Any, registry: DynamoDBRegistry, settings: Settings, api_key: str, apigateway: Any
) -> None:
    table = settings.table_for("star")
    assert sorted(admin.list_tables()["TableNames"]) == sorted([table, settings.registry_table_name])
    described = admin.describe_table(TableName=table)["Table"]
    assert described["DeletionProtectionEnabled"] is True
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert described["SSEDescription"]["KMSMasterKeyArn"] == settings.table_kms_key_arn
    pitr = admin.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = admin.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    tags = {
        t["Key"]: t["Value"] for t in admin.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    }
    assert tags == {BACKUP_TAG: "reservations", CUSTOMER_TAG: "star"}
    assert [c.name for c in registry.list_customers()] == ["star"]
    assert len(registry.list_keys("star")) == 1  # a killed run's key, never shown, was replaced
    assert authorize(registry, "star", api_key).status == "active"
    assert usage_keys(apigateway, settings) == {"standard": [f"{USAGE_PREFIX}star"], "premium": []}
    assert [k["name"] for k in apigateway.get_api_keys()["items"]] == [f"{USAGE_PREFIX}star"]


@pytest.mark.parametrize("kill_after", [None, *(s for s in CREATE_STEPS if s != "key")])
def test_create_killed_after_any_step_is_finished_by_running_it_again(
    settings: Settings,
    moto_endpoint: str,
    registry: DynamoDBRegistry,
    admin: Any,
    apigateway: Any,
    kill_after: str | None,
) -> None:
    if kill_after is not None:
        with pytest.raises(Killed):
            onboarding(settings, moto_endpoint, registry, kill_after).create("star")
        customer = registry.get_customer("star")
        assert customer is None or customer.status in ("provisioning", "active")
    if kill_after == "activate":  # done but for printing the key: the customer exists
        with pytest.raises(Exception, match="already exists"):
            onboarding(settings, moto_endpoint, registry).create("star")
        return
    created = onboarding(settings, moto_endpoint, registry).create("star")
    assert_onboarded(admin, registry, settings, created.api_key, apigateway)


def test_a_customer_being_provisioned_is_not_served(
    settings: Settings, moto_endpoint: str, registry: DynamoDBRegistry
) -> None:
    with pytest.raises(Killed):
        onboarding(settings, moto_endpoint, registry, "register").create("star")
    key_hash = registry.list_keys("star")[0].key_hash
    owner, customer = registry.key_and_customer(key_hash, "star")
    assert owner == "star"
    assert customer is not None
    assert customer.status == "provisioning"  # authorize refuses anything but active


def backups(admin: Any, table: str) -> list[str]:
    listed = admin.list_backups(TableName=table)["BackupSummaries"]
    return sorted(b["BackupName"] for b in listed if b["BackupStatus"] != "DELETED")


@pytest.mark.parametrize("kill_after", [None, *DELETE_STEPS])
def test_delete_killed_after_any_step_is_finished_by_running_it_again(
    settings: Settings,
    moto_endpoint: str,
    registry: DynamoDBRegistry,
    admin: Any,
    apigateway: Any,
    kill_after: str | None,
) -> None:
    table = settings.table_for("star")
    onboarding(settings, moto_endpoint, registry).create("star")
    if kill_after is not None:
        with pytest.raises(Killed):
            onboarding(settings, moto_endpoint, registry, kill_after).delete("star")
    if kill_after == "unregister":
        with pytest.raises(Exception, match="no customer named"):
            onboarding(settings, moto_endpoint, registry).delete("star")
    else:
        removed = onboarding(settings, moto_endpoint, registry).delete("star")
        assert len(removed.backups) == 1
    assert admin.list_tables()["TableNames"] == [settings.registry_table_name]
    assert registry.list_customers() == []
    assert registry.list_keys("star") == []
    assert backups(admin, table) == [f"{table}-final"]  # taken once, before the drop
    assert apigateway.get_api_keys()["items"] == []  # out of its plan too
    assert usage_keys(apigateway, settings) == {"standard": [], "premium": []}


def cli(moto_endpoint: str, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    env |= {
        **settings.to_env(),
        "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint,  # AWS as the operator reaches it, played by moto
        "AWS_ENDPOINT_URL_API_GATEWAY": moto_endpoint,
    }
    return subprocess.run(
        [sys.executable, "-m", "reservations", "tenants", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_the_cli_onboards_and_removes_a_customer_in_aws(
    settings: Settings, moto_endpoint: str, registry: DynamoDBRegistry, admin: Any, apigateway: Any
) -> None:
    created = cli(moto_endpoint, settings, "create", "star", "--json")
    assert created.returncode == 0, created.stderr
    assert_onboarded(admin, registry, settings, json.loads(created.stdout)["api_key"], apigateway)
    premium = cli(moto_endpoint, settings, "create", "moon", "--tier", "premium")
    assert premium.returncode == 0, premium.stderr
    assert usage_keys(apigateway, settings)["premium"] == [f"{USAGE_PREFIX}moon"]
    unknown = cli(moto_endpoint, settings, "create", "sun", "--tier", "gold")
    assert unknown.returncode == 1
    (line,) = unknown.stderr.strip().splitlines()
    assert "no tier named 'gold' (tiers: premium, standard)" in line
    moved = cli(moto_endpoint, settings, "set-tier", "star", "premium")
    assert moved.returncode == 0, moved.stderr
    assert usage_keys(apigateway, settings) == {
        "standard": [],
        "premium": [f"{USAGE_PREFIX}moon", f"{USAGE_PREFIX}star"],
    }
    assert cli(moto_endpoint, settings, "set-tier", "star", "premium").returncode == 0  # idempotent
    assert len(usage_keys(apigateway, settings)["premium"]) == 2
    assert cli(moto_endpoint, settings, "delete", "moon", "--yes").returncode == 0
    deleted = cli(moto_endpoint, settings, "delete", "star", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "Final backup: arn:aws:dynamodb:" in deleted.stdout
    assert admin.list_tables()["TableNames"] == [settings.registry_table_name]


def test_without_the_deployments_settings_create_says_what_to_set_and_makes_nothing(
    settings: Settings, moto_endpoint: str, registry: DynamoDBRegistry, admin: Any
) -> None:
    refused = cli(moto_endpoint, replace(settings, table_kms_key_arn=None), "create", "star")
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "RESERVATIONS_TABLE_KMS_KEY_ARN" in line
    assert admin.list_tables()["TableNames"] == [settings.registry_table_name]
