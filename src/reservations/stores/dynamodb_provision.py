"""A customer's DynamoDB table made and removed by the onboarding operation: the calls, and nothing else.

The table gets exactly what Terraform's ``customer_table`` module gave it (issue #23 takes customer
tables out of Terraform): on-demand billing, the ``pk``/``sk`` key, encryption with the
deployment's customer-managed KMS key, point-in-time recovery, TTL on ``expires_at``, deletion
protection, and the tags the backup plan selects by (``reservations/backup``) and costs are
allocated by (``reservations/customer``).  Every method is idempotent, so a rerun after a crash
picks up where the first run stopped: a table already there is completed, not created twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import ATTRIBUTES, KEY_SCHEMA, error_code, translated_errors

BACKUP_TAG = "reservations/backup"
CUSTOMER_TAG = "reservations/customer"
FINAL_BACKUP_SUFFIX = "-final"


@dataclass(frozen=True)
class TableSpec:
    """What a customer's table must be: Terraform's module settings, as values."""

    name: str
    customer: str
    kms_key_arn: str
    backup_tag: str  # the deployment's name, the value the backup selection matches

    @property
    def tags(self) -> list[dict[str, str]]:
        return [{"Key": BACKUP_TAG, "Value": self.backup_tag}, {"Key": CUSTOMER_TAG, "Value": self.customer}]


class TableProvisioner:
    def __init__(self, client: Any) -> None:
        self._client = client

    def ensure(self, spec: TableSpec) -> None:
        """Creates the table, or completes one a crashed run (or Terraform, before the hand-over)
        created: its tags, then once ACTIVE, TTL and point-in-time recovery (neither can be asked
        for in CreateTable)."""
        try:
            with translated_errors():
                self._client.create_table(
                    TableName=spec.name,
                    KeySchema=KEY_SCHEMA,
                    AttributeDefinitions=ATTRIBUTES,
                    BillingMode="PAY_PER_REQUEST",
                    SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": spec.kms_key_arn},
                    DeletionProtectionEnabled=True,
                    Tags=spec.tags,
                )
        except ClientError as exc:
            if error_code(exc) != "ResourceInUseException":
                raise
        with translated_errors():
            described = self._client.describe_table(TableName=spec.name)["Table"]
            # Tags again: a table Terraform made (before the hand-over) lacks the customer's.
            self._client.tag_resource(ResourceArn=described["TableArn"], Tags=spec.tags)
            self._client.get_waiter("table_exists").wait(
                TableName=spec.name, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
            )
            ttl = self._client.describe_time_to_live(TableName=spec.name).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus", "DISABLED") in ("DISABLED", "DISABLING"):
                self._client.update_time_to_live(
                    TableName=spec.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": items.TTL_ATTRIBUTE},
                )
            self._client.update_continuous_backups(
                TableName=spec.name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )

    def final_backup(self, table: str) -> str | None:
        """An on-demand backup named ``<table>-final``, taken once: a rerun finds the first one.
        ``None`` when the table is gone already (a rerun after the drop)."""
        name = f"{table}{FINAL_BACKUP_SUFFIX}"
        with translated_errors():
            listed = self._client.list_backups(TableName=table, BackupType="USER")
        for summary in listed.get("BackupSummaries", []):
            if summary.get("BackupName") == name and summary.get("BackupStatus") != "DELETED":
                return str(summary["BackupArn"])
        try:
            with translated_errors():
                made = self._client.create_backup(TableName=table, BackupName=name)
        except ClientError as exc:
            if error_code(exc) in ("TableNotFoundException", "ResourceNotFoundException"):
                return None
            raise
        return str(made["BackupDetails"]["BackupArn"])

    def drop(self, table: str) -> None:
        """Deletion protection off, then the table; a missing table is fine."""
        try:
            with translated_errors():
                self._client.update_table(TableName=table, DeletionProtectionEnabled=False)
                self._client.get_waiter("table_exists").wait(  # UpdateTable leaves it UPDATING a while
                    TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
                )
                self._client.delete_table(TableName=table)
        except NotFoundError:
            return
        with translated_errors():
            self._client.get_waiter("table_not_exists").wait(
                TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
            )
