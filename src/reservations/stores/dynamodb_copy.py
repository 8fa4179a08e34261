"""A customer's table copied between cells (``tenants move``): every item as it is, so reservation
ids, room-nights, idempotency records and counters arrive unchanged and nothing is renumbered.

The copy is exact: items the source lacks are deleted from the target, so copying again after a
late write makes the target equal to the source again.  ``digest`` says whether the source moved
since a copy (the move compares the two before it switches the directory).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.domain.errors import UnavailableError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import backoff, busy, error_code, make_client, translated_errors

if TYPE_CHECKING:
    from reservations.settings import Settings

# DynamoDB's limit of actions per TransactWriteItems.  A transaction, not BatchWriteItem: the table
# alarms sum the operations the stores call, and this adds none to them (test_operations.py).
_BATCH = 100


def _key_of(item: items.Item) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def digest_of(found: list[items.Item]) -> str:
    text = json.dumps(sorted(found, key=_key_of), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class TableCopier:
    def __init__(self, source: Any, target: Any) -> None:
        self._source = source
        self._target = target

    @classmethod
    def between(cls, source: Settings, target: Settings) -> TableCopier:
        return cls(make_client(source), make_client(target))

    def digest(self, table: str) -> str:
        return digest_of(self._scan(self._source, table))

    def copy(self, table: str, target_table: str) -> tuple[int, str]:
        """Makes the target's ``target_table`` (which must exist) hold exactly the items of the
        source's ``table``; the number of items and the digest of what was copied."""
        found = self._scan(self._source, table)
        wanted = {_key_of(item) for item in found}
        stale = [item for item in self._scan(self._target, target_table) if _key_of(item) not in wanted]
        requests = [{"Put": {"TableName": target_table, "Item": item}} for item in found]
        requests += [
            {"Delete": {"TableName": target_table, "Key": items.key(*_key_of(item))}} for item in stale
        ]
        for start in range(0, len(requests), _BATCH):
            self._write(target_table, requests[start : start + _BATCH])
        return len(found), digest_of(found)

    def close(self) -> None:
        self._source.close()
        self._target.close()

    def _write(self, table: str, batch: list[dict[str, Any]]) -> None:
        """One TransactWriteItems, sent again while DynamoDB answers busy (throttling, a conflict)."""
        for attempt in range(8):
            if attempt:
                backoff(min(attempt, 4))
            try:
                with translated_errors(f"table {table} does not exist in the target cell"):
                    self._target.transact_write_items(TransactItems=batch)
                return
            except UnavailableError:
                continue
            except ClientError as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise
        raise busy("the target cell's table is busy; run the move again")

    @staticmethod
    def _scan(client: Any, table: str) -> list[items.Item]:
        params: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
        found: list[items.Item] = []
        while True:
            with translated_errors(f"table {table} does not exist"):
                response = client.scan(**params)
            found += response.get("Items", [])
            if not response.get("LastEvaluatedKey"):
                return found
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
