"""Restoring a customer's DynamoDB table into a new table: the DynamoDB calls, and nothing else.

DynamoDB restores only into a new table (a backup or a point in time is never written over the
live table), and the restored table gets none of the source's settings but its key schema, indexes
and, when asked, its encryption and billing mode. So ``start`` passes the source's KMS key and
on-demand billing as overrides, and ``finish`` puts back what a restore drops: point-in-time
recovery, TTL on ``expires_at``, deletion protection and the source's tags (an AWS Backup selection
by tag then covers the new table too). The registry switch is the caller's next step.

``start`` is one call; the restore itself takes from minutes to hours in AWS, so ``status`` is
polled by the caller, which can stop and come back later (the new table's name is all it needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import error_code, translated_errors

RESTORED_FROM_TAG = "reservations/restored-from"

Source = Literal["backup", "point-in-time"]


@dataclass(frozen=True)
class RestoreState:
    table: str
    status: str  # DynamoDB's TableStatus: CREATING while the restore runs, then ACTIVE
    in_progress: bool
    source: str | None  # the backup ARN or source table the restore came from, when DynamoDB says

    @property
    def ready(self) -> bool:
        return self.status == "ACTIVE" and not self.in_progress


class TableRestore:
    def __init__(self, client: Any) -> None:
        self._client = client

    def backup_source_table(self, backup_arn: str) -> str:
        """The table a DynamoDB backup was taken of (to check it is this customer's)."""
        try:
            with translated_errors(f"no backup {backup_arn}"):
                described = self._client.describe_backup(BackupArn=backup_arn)
        except ClientError as exc:
            if error_code(exc) in ("BackupNotFoundException", "ValidationException"):
                raise NotFoundError(f"no backup {backup_arn}", field="from_backup") from None
            raise
        details = described.get("BackupDescription", {})
        status = details.get("BackupDetails", {}).get("BackupStatus")
        if status not in (None, "AVAILABLE"):
            raise ValidationError(f"backup {backup_arn} is {status}, not AVAILABLE", field="from_backup")
        return str(details.get("SourceTableDetails", {}).get("TableName", ""))

    def check_point_in_time(self, table: str, moment: datetime | None) -> None:
        """Refuses clearly when PITR is off or ``moment`` is outside the restorable window.

        DynamoDB reports the window (earliest, latest); where it does not (emulators), DynamoDB's
        own answer to the restore call is the check.
        """
        with translated_errors(f"table {table} does not exist"):
            described = self._client.describe_continuous_backups(TableName=table)
        pitr = described.get("ContinuousBackupsDescription", {}).get("PointInTimeRecoveryDescription", {})
        if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
            raise ValidationError(
                f"point-in-time recovery is off for {table}: restore from a backup instead",
                field="to_time",
            )
        earliest, latest = pitr.get("EarliestRestorableDateTime"), pitr.get("LatestRestorableDateTime")
        if moment is None or earliest is None or latest is None:
            return
        if not earliest <= moment <= latest:
            raise ValidationError(
                f"{moment.isoformat()} is outside {table}'s restorable window"
                f" ({earliest.isoformat()} to {latest.isoformat()})",
                field="to_time",
            )

    def start(
        self,
        source_table: str,
        target_table: str,
        *,
        backup_arn: str | None = None,
        moment: datetime | None = None,
    ) -> None:
        """Starts the restore (from ``backup_arn``, else to ``moment``, else to the latest time)."""
        overrides: dict[str, Any] = {"BillingModeOverride": "PAY_PER_REQUEST"}
        sse = self._source_encryption(source_table)
        if sse is not None:
            overrides["SSESpecificationOverride"] = sse
        try:
            with translated_errors(f"table {source_table} does not exist"):
                if backup_arn is not None:
                    self._client.restore_table_from_backup(
                        TargetTableName=target_table, BackupArn=backup_arn, **overrides
                    )
                else:
                    when: dict[str, Any] = (
                        {"RestoreDateTime": moment}
                        if moment is not None
                        else {"UseLatestRestorableTime": True}
                    )
                    self._client.restore_table_to_point_in_time(
                        SourceTableName=source_table, TargetTableName=target_table, **when, **overrides
                    )
        except ClientError as exc:
            code = error_code(exc)
            message = exc.response.get("Error", {}).get("Message", code)
            if code in ("TableAlreadyExistsException", "ResourceInUseException"):
                raise ValidationError(f"table {target_table} already exists", field="table") from None
            if code in ("InvalidRestoreTimeException", "PointInTimeRecoveryUnavailableException"):
                raise ValidationError(f"DynamoDB refused the restore: {message}", field="to_time") from None
            if code in ("BackupNotFoundException", "BackupInUseException", "ValidationException"):
                raise ValidationError(
                    f"DynamoDB refused the restore: {message}", field="from_backup"
                ) from None
            raise

    def status(self, table: str) -> RestoreState:
        with translated_errors(f"table {table} does not exist"):
            described = self._client.describe_table(TableName=table)["Table"]
        summary = described.get("RestoreSummary") or {}
        return RestoreState(
            table=table,
            status=str(described.get("TableStatus", "")),
            in_progress=bool(summary.get("RestoreInProgress", False)),
            source=summary.get("SourceBackupArn") or summary.get("SourceTableArn"),
        )

    def unswitched(self, copies_prefix: str) -> list[RestoreState]:
        """The restored copies (named ``copies_prefix``...) no customer was switched to: still
        restoring, or ready without the tag ``finish`` puts on at the switch.

        Every page of ListTables, from the first: moto lists in creation order, AWS in name order,
        and a copy's name need not follow the table it was made from. At 10,000 tables in a cell
        that is 100 calls (ListTables costs nothing), once per move."""
        waiting: list[RestoreState] = []
        start: str | None = None
        while True:
            with translated_errors("cannot list the tables"):
                page = self._client.list_tables(**({"ExclusiveStartTableName": start} if start else {}))
            for name in page.get("TableNames", []):
                if not name.startswith(copies_prefix):
                    continue
                state = self.status(name)
                if not state.ready or not self._switched_to(name):
                    waiting.append(state)
            start = page.get("LastEvaluatedTableName")
            if not start:
                return waiting

    def _switched_to(self, table: str) -> bool:
        described = self._describe(table)
        if described is None:
            return True  # deleted meanwhile: nothing waits on it
        with translated_errors(f"table {table} does not exist"):
            tags = self._client.list_tags_of_resource(ResourceArn=described["TableArn"]).get("Tags", [])
        return any(tag["Key"] == RESTORED_FROM_TAG for tag in tags)

    def finish(self, source_table: str, target_table: str, restored_from: str) -> None:
        """What a restore does not carry over, copied from the source table (idempotent)."""
        with translated_errors(f"table {target_table} does not exist"):
            self._client.update_continuous_backups(
                TableName=target_table,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
            ttl = self._client.describe_time_to_live(TableName=target_table).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus", "DISABLED") in ("DISABLED", "DISABLING"):
                self._client.update_time_to_live(
                    TableName=target_table,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": items.TTL_ATTRIBUTE},
                )
            source = self._describe(source_table)
            target_arn = self._client.describe_table(TableName=target_table)["Table"]["TableArn"]
            tags = []
            if source is not None:
                if source.get("DeletionProtectionEnabled"):
                    self._client.update_table(TableName=target_table, DeletionProtectionEnabled=True)
                listed = self._client.list_tags_of_resource(ResourceArn=source["TableArn"])
                tags = [t for t in listed.get("Tags", []) if t["Key"] != RESTORED_FROM_TAG]
            tags.append({"Key": RESTORED_FROM_TAG, "Value": restored_from[:256]})
            self._client.tag_resource(ResourceArn=target_arn, Tags=tags)

    def _describe(self, table: str) -> dict[str, Any] | None:
        try:
            described: dict[str, Any] = self._client.describe_table(TableName=table)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None  # restoring a deleted table from its backup: nothing to copy
            raise
        return described

    def _source_encryption(self, table: str) -> dict[str, Any] | None:
        """The source's customer-managed KMS key, so the restored table is encrypted the same way."""
        with translated_errors(f"table {table} does not exist"):
            source = self._describe(table)
        sse = (source or {}).get("SSEDescription") or {}
        key = sse.get("KMSMasterKeyArn")
        if sse.get("Status") in ("ENABLED", "UPDATING") and key:
            return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
        return None
