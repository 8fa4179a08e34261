"""``reservations tenants restore`` against moto's server over HTTP, and the API reading the restored table.

moto implements RestoreTableFromBackup and RestoreTableToPointInTime, but restores at once (a table
is ACTIVE when the call returns) and ignores the point in time (it copies the source's current
items): what these tests prove is the flow (checks, new table, settings carried over, registry
switch, requests following the switch), not DynamoDB's restore itself. docs/operating.md says
what only AWS can show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from typer.testing import CliRunner

from reservations import wiring
from reservations.cli import app
from reservations.domain.errors import ValidationError
from reservations.domain.parsing import today_utc
from reservations.functions import authorizer
from reservations.settings import Settings
from reservations.stores.dynamodb_client import make_client
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.wiring import CustomerTables, proved_table
from tests.support.server import Gateway, start_gateway
from tests.support.settings import store_settings

# Each test restores through moto with a DynamoDB gateway of its own (seconds apiece): make test only.
pytestmark = pytest.mark.slow

runner = CliRunner()
STAY = {
    "guest_name": "Ada",
    "room_number": 12,
    "check_in": (today_utc() + timedelta(days=30)).isoformat(),
    "nights": 2,
}


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Gateway]:
    """A gateway on moto with customers star and moon, their tables set up as Terraform makes them."""
    settings = store_settings("dynamodb", tmp_path, request)
    gateway = start_gateway(settings, tmp_path)
    try:
        gateway.create_customer("star")
        gateway.create_customer("moon")
        ddb = dynamodb(settings)
        for name in ("star", "moon"):
            table = settings.table_for(name)
            ddb.update_continuous_backups(
                TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
            ddb.update_table(TableName=table, DeletionProtectionEnabled=True)
            arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "customer", "Value": name}])
        yield gateway
    finally:
        gateway.stop()


def dynamodb(settings: Settings) -> Any:
    return boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name="us-east-1")


def restore(gateway: Gateway, *args: str) -> Any:
    env = {**gateway.settings.to_env(), "RESERVATIONS_STORE": "dynamodb"}
    return runner.invoke(app, ["tenants", "restore", *args, "--interval", "0"], env=env)


def guests(gateway: Gateway, customer: str) -> list[str]:
    answer = httpx.get(f"{gateway.url}/reservations", headers=gateway.headers(customer), timeout=10)
    assert answer.status_code == 200, answer.text
    return sorted(item["guest_name"] for item in answer.json()["items"])


def restarted(gateway: Gateway, tmp_path: Path) -> Gateway:
    """A fresh gateway process (no remembered customer tables) with the same customers and keys."""
    gateway.stop()
    fresh = start_gateway(gateway.settings, tmp_path)
    fresh.keys = gateway.keys
    return fresh


def registry_table(gateway: Gateway, customer: str) -> str:
    registry = DynamoDBRegistry(make_client(gateway.settings), gateway.settings.registry_table_name)
    record = registry.get_customer(customer)
    assert record is not None
    return record.table


def test_restore_from_backup_brings_deleted_reservations_back_for_that_customer_only(
    site: Gateway, tmp_path: Path
) -> None:
    settings = site.settings
    ddb = dynamodb(settings)
    added = httpx.post(f"{site.url}/reservations", json=STAY, headers=site.headers("star"), timeout=10)
    assert added.status_code == 201, added.text
    httpx.post(f"{site.url}/reservations", json=STAY | {"guest_name": "Moe"}, headers=site.headers("moon"))
    backup = ddb.create_backup(TableName=settings.table_for("star"), BackupName="nightly")["BackupDetails"]
    reservation_id = added.json()["reservation_id"]
    assert httpx.delete(f"{site.url}/reservations/{reservation_id}", headers=site.headers("star")).is_success
    late = STAY | {"guest_name": "Bob", "room_number": 14}
    assert httpx.post(f"{site.url}/reservations", json=late, headers=site.headers("star")).status_code == 201

    result = restore(site, "star", "--from-backup", backup["BackupArn"], "--json")

    assert result.exit_code == 0, result.output
    switched = json.loads(result.stdout)
    new, old = switched["table"], switched["previous_table"]
    assert old == settings.table_for("star")
    assert new.startswith(f"{settings.table_prefix}star.r")
    assert new.endswith("-reservations")
    assert registry_table(site, "star") == new
    assert "[00:00]" in result.stderr
    assert "ACTIVE" in result.stderr

    site = restarted(site, tmp_path)
    try:
        assert guests(site, "star") == ["Ada"]  # the backup's contents, not the live table's
        assert guests(site, "moon") == ["Moe"]  # another customer is untouched
        assert registry_table(site, "moon") == settings.table_for("moon")
    finally:
        site.stop()
    # The old table is kept with what was written after the backup.
    assert ddb.scan(TableName=old, Select="COUNT")["Count"] > 0
    # What a restore drops, put back: PITR, TTL, deletion protection, the source's tags.
    described = ddb.describe_table(TableName=new)["Table"]
    assert described["DeletionProtectionEnabled"] is True
    pitr = ddb.describe_continuous_backups(TableName=new)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=new)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    tags = {
        t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    }
    assert tags == {"customer": "star", "reservations/restored-from": backup["BackupArn"]}


def test_restore_to_the_latest_time_then_again_from_the_restored_copy(site: Gateway) -> None:
    first = restore(site, "star", "--to-time", "latest", "--json")
    assert first.exit_code == 0, first.output
    copy = json.loads(first.stdout)["table"]
    assert registry_table(site, "star") == copy

    # A second restore starts from the table the customer uses now, the restored copy.
    backup = dynamodb(site.settings).create_backup(TableName=copy, BackupName="after")["BackupDetails"]
    again = restore(site, "star", "--from-backup", backup["BackupArn"], "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["previous_table"] == copy


def restorable_window(gateway: Gateway, customer: str) -> tuple[Any, Any]:
    described = dynamodb(gateway.settings).describe_continuous_backups(
        TableName=gateway.settings.table_for(customer)
    )
    pitr = described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    return pitr["EarliestRestorableDateTime"], pitr["LatestRestorableDateTime"]


def test_a_time_outside_the_restorable_window_is_refused(site: Gateway) -> None:
    earliest, _ = restorable_window(site, "star")
    result = restore(site, "star", "--to-time", "2020-01-01T00:00:00Z")
    assert result.exit_code == 1
    assert "outside" in result.stderr
    assert earliest.isoformat() in result.stderr
    assert registry_table(site, "star") == site.settings.table_for("star")


def test_no_wait_then_resume(site: Gateway) -> None:
    _, latest = restorable_window(site, "star")
    started = restore(site, "star", "--to-time", latest.isoformat(), "--no-wait")
    assert started.exit_code == 0, started.output
    assert registry_table(site, "star") == site.settings.table_for("star")  # not switched yet
    hint = started.stdout.strip().splitlines()[-1].strip()
    assert hint.startswith("reservations tenants restore star --resume ")
    table = hint.rsplit(" ", 1)[1]

    resumed = restore(site, "star", "--resume", table)

    assert resumed.exit_code == 0, resumed.output
    assert f"now uses {table}" in resumed.stdout
    assert registry_table(site, "star") == table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resume", "PREFIXmoon-reservations"], "is not a restored copy of customer 'star'"),
        (["--resume", "PREFIXstar-reservations"], "is not a restored copy"),
        (["--resume", "PREFIXstar.r20990101000000000-reservations"], "does not exist"),
    ],
)
def test_resume_refuses_tables_that_are_not_the_customers_copy(
    site: Gateway, args: list[str], message: str
) -> None:
    args = [a.replace("PREFIX", site.settings.table_prefix) for a in args]
    result = restore(site, "star", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert registry_table(site, "star") == site.settings.table_for("star")


def test_a_backup_of_another_customer_is_refused_and_nothing_is_created(site: Gateway) -> None:
    ddb = dynamodb(site.settings)
    backup = ddb.create_backup(TableName=site.settings.table_for("moon"), BackupName="moon-nightly")[
        "BackupDetails"
    ]
    before = set(ddb.list_tables()["TableNames"])

    result = restore(site, "star", "--from-backup", backup["BackupArn"])

    assert result.exit_code == 1
    assert "not of customer 'star'" in result.stderr
    assert set(ddb.list_tables()["TableNames"]) == before
    assert registry_table(site, "star") == site.settings.table_for("star")


def test_point_in_time_needs_pitr(site: Gateway) -> None:
    dynamodb(site.settings).update_continuous_backups(
        TableName=site.settings.table_for("star"),
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )
    result = restore(site, "star", "--to-time", "latest")
    assert result.exit_code == 1
    assert "point-in-time recovery is off" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of"),
        (["--to-time", "latest", "--resume", "t"], "exactly one of"),
        (["--to-time", "2026-11-29T06:00"], "no UTC offset"),
        (["--to-time", "yesterday"], "not an ISO 8601 timestamp"),
    ],
)
def test_usage_errors_are_one_line_exit_2(site: Gateway, args: list[str], message: str) -> None:
    result = restore(site, "star", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_customer_and_non_dynamodb_backup_arn(site: Gateway) -> None:
    ghost = restore(site, "ghost", "--to-time", "latest")
    assert (ghost.exit_code, "no customer named 'ghost'" in ghost.stderr) == (1, True)
    recovery_point = (
        "arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45"
    )
    other = restore(site, "star", "--from-backup", recovery_point)
    assert other.exit_code == 1
    assert "aws backup start-restore-job" in other.stderr
    table = site.settings.table_for("star")
    missing = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/backup/01732870000000-1a2b3c4d"
    gone = restore(site, "star", "--from-backup", missing)
    assert gone.exit_code == 1
    assert f"no backup {missing}" in gone.stderr


def test_sqlite_store_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["tenants", "restore", "star", "--to-time", "latest", "--store", "sqlite"], env={}
    )
    assert result.exit_code == 2
    assert "DynamoDB store" in result.stderr


def test_switch_is_conditional_and_the_request_path_follows_the_authorizers_table(site: Gateway) -> None:
    """The registry switch is conditional; requests follow it through the authorizer, which reads the
    registry and passes the customer's table on (the API functions never read the registry)."""
    settings = site.settings
    registry = DynamoDBRegistry(make_client(settings), settings.registry_table_name)
    restored = f"{settings.table_prefix}star.r20261129071502123-reservations"
    registry.switch_table("star", settings.table_for("star"), restored)
    with pytest.raises(ValidationError, match=r"now uses table .*star\.r20261129071502123-reservations"):
        registry.switch_table("star", settings.table_for("star"), "x.r2-reservations")

    wiring.configure(settings)
    try:
        policy = authorizer.handler(authorizer_event("star", site.keys["star"]), None)
    finally:
        wiring.configure(Settings(store="sqlite", data_dir=site.log_path.parent / "unused"))
    assert policy["context"]["table"] == restored

    tables = CustomerTables(settings)
    assert tables("star") == settings.table_for("star")  # no proof: today's naming
    with proved_table("star", policy["context"]["table"]):
        assert tables("star") == restored
        assert tables("moon") == settings.table_for("moon")  # proved for star only
    with proved_table("star", settings.table_for("moon")):
        assert tables("star") == settings.table_for("star")  # never another customer's table


def authorizer_event(customer: str, key: str) -> dict[str, Any]:
    return {
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/reservations",
        "headers": {"X-Customer": customer, "X-Api-Key": key},
        "requestContext": {"requestId": "r-1"},
    }
