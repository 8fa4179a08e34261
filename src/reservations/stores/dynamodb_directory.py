"""The cells' directory in one DynamoDB table (``<prefix>reservations-directory``), in AWS the control
account's, which every cell's edge reads.

``CUSTOMER#<name>``/``CELL`` holds the customer's cell (and, during a move, ``moving_to``);
``HOSTS``/``HOST#<host>`` the customer a custom domain names, with a copy under the customer's
partition so ``remove`` finds them; ``VERSION``/``VERSION`` counts changes, bumped in each write's
transaction, so the edge polls one small item and reads the rest only when it moved.
"""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.stores import dynamodb_items as items
from reservations.stores.directory import Placement, placed_elsewhere
from reservations.stores.dynamodb_client import TableAdmin, busy, cancellation_reasons, translated_errors

_VERSION = items.key("VERSION", "VERSION")
_HOSTS = "HOSTS"
_HOST = "HOST#"
_ATTEMPTS = 3


def _placement_key(customer: str) -> items.Item:
    return items.key(f"CUSTOMER#{customer}", "CELL")


def _placement(item: items.Item) -> Placement:
    moving = item.get("moving_to", {}).get("S")
    return Placement(item["pk"]["S"].removeprefix("CUSTOMER#"), item["cell"]["S"], moving)


class DynamoDBDirectory:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._missing = f"the cells' directory table {table} does not exist"

    def ensure_table(self) -> None:
        with translated_errors(self._missing):
            TableAdmin(self._client).create(self._table)

    def _bump(self) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": _VERSION,
                "UpdateExpression": "ADD version :one",
                "ExpressionAttributeValues": {":one": items.n(1)},
            }
        }

    def _transact(self, writes: list[dict[str, Any]]) -> None:
        with translated_errors(self._missing):
            self._client.transact_write_items(
                TransactItems=[*writes, self._bump()], ClientRequestToken=uuid.uuid4().hex
            )

    def _failed(self, exc: ClientError) -> list[str]:
        """The items whose condition failed ("" for the others); busy for anything else."""
        failed = "ConditionalCheckFailed"
        codes = [failed if reason.get("Code") == failed else "" for reason in cancellation_reasons(exc)]
        if failed not in codes:
            raise busy() from exc
        return codes

    def place(self, customer: str, cell: str) -> bool:
        item = {**_placement_key(customer), "cell": items.s(cell)}
        try:
            self._transact([items.put(self._table, item, "attribute_not_exists(pk)")])
            return True
        except ClientError as exc:
            self._failed(exc)
        now = self.placement(customer)
        if now is not None and now.cell != cell:
            raise ValidationError(placed_elsewhere(customer, now.cell), field="cell")
        return False

    def begin_move(self, customer: str, to_cell: str) -> Placement:
        """Conditioned on the placement as read: a move to elsewhere in between fails it."""
        for _ in range(_ATTEMPTS):
            now = self._existing(customer)
            if now.cell == to_cell:
                raise ValidationError(placed_elsewhere(customer, to_cell) + " already", field="to")
            if now.moving_to not in (None, to_cell):
                raise ValidationError(f"customer {customer!r} is moving to {now.moving_to!r}", field="to")
            update = items.update(
                self._table,
                _placement_key(customer),
                "SET moving_to = :to",
                "cell = :cell AND (attribute_not_exists(moving_to) OR moving_to = :to)",
                {":to": items.s(to_cell), ":cell": items.s(now.cell)},
            )
            try:
                self._transact([update])
                return Placement(customer, now.cell, to_cell)
            except ClientError as exc:
                self._failed(exc)
        raise busy()

    def finish_move(self, customer: str) -> Placement:
        for _ in range(_ATTEMPTS):
            now = self._existing(customer)
            if now.moving_to is None:
                raise ValidationError(f"customer {customer!r} is not moving", field="name")
            update = items.update(
                self._table,
                _placement_key(customer),
                "SET cell = :to REMOVE moving_to",
                "cell = :cell AND moving_to = :to",
                {":to": items.s(now.moving_to), ":cell": items.s(now.cell)},
            )
            try:
                self._transact([update])
                return Placement(customer, now.moving_to)
            except ClientError as exc:
                self._failed(exc)
        raise busy()

    def remove(self, customer: str) -> None:
        """The placement and every host listed under it, in one transaction."""
        hosts = self._query(f"CUSTOMER#{customer}", _HOST)
        writes = [items.delete(self._table, _placement_key(customer), "attribute_exists(pk)")]
        for item in hosts:
            host = item["sk"]["S"].removeprefix(_HOST)
            writes += [
                items.delete(self._table, items.key(_HOSTS, f"{_HOST}{host}")),
                items.delete(self._table, items.key(f"CUSTOMER#{customer}", f"{_HOST}{host}")),
            ]
        try:
            self._transact(writes)
        except ClientError as exc:
            if self._failed(exc)[0]:
                raise NotFoundError(f"customer {customer!r} is in no cell", field="name") from None

    def placement(self, customer: str) -> Placement | None:
        item = self._get(_placement_key(customer))
        return _placement(item) if item else None

    def placements(self) -> list[Placement]:
        """A Scan: one small item per customer (10,000 customers are well under a megabyte)."""
        found: list[Placement] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "sk = :cell",
            "ExpressionAttributeValues": {":cell": items.s("CELL")},
            "ConsistentRead": True,
        }
        while True:
            with translated_errors(self._missing):
                response = self._client.scan(**params)
            found += [_placement(item) for item in response.get("Items", [])]
            if not response.get("LastEvaluatedKey"):
                return sorted(found, key=lambda placement: placement.customer)
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def add_host(self, host: str, customer: str) -> bool:
        writes = [
            items.condition_check(self._table, _placement_key(customer), "attribute_exists(pk)"),
            items.put(
                self._table,
                {**items.key(_HOSTS, f"{_HOST}{host}"), "customer": items.s(customer)},
                "attribute_not_exists(pk)",
            ),
            {"Put": {"TableName": self._table, "Item": items.key(f"CUSTOMER#{customer}", f"{_HOST}{host}")}},
        ]
        try:
            self._transact(writes)
            return True
        except ClientError as exc:
            failed = self._failed(exc)
        if failed[0]:
            raise NotFoundError(f"customer {customer!r} is in no cell", field="name")
        holder = self.hosts().get(host)
        if holder == customer:
            return False
        raise ValidationError(f"host {host!r} belongs to customer {holder!r}", field="host")

    def remove_host(self, host: str) -> str:
        """Conditioned on the holder as read: a host given to another customer in between is read again."""
        for _ in range(_ATTEMPTS):
            holder = self.hosts().get(host)
            if holder is None:
                raise NotFoundError(f"no customer has host {host!r}", field="host")
            writes = [
                items.delete(
                    self._table,
                    items.key(_HOSTS, f"{_HOST}{host}"),
                    "customer = :customer",
                    {":customer": items.s(holder)},
                ),
                items.delete(self._table, items.key(f"CUSTOMER#{holder}", f"{_HOST}{host}")),
            ]
            try:
                self._transact(writes)
                return holder
            except ClientError as exc:
                self._failed(exc)
        raise busy()

    def hosts(self) -> dict[str, str]:
        found = self._query(_HOSTS, _HOST)
        return {item["sk"]["S"].removeprefix(_HOST): item["customer"]["S"] for item in found}

    def version(self) -> int:
        item = self._get(_VERSION)
        return int(item["version"]["N"]) if item else 0

    def close(self) -> None:
        self._client.close()

    def _existing(self, customer: str) -> Placement:
        now = self.placement(customer)
        if now is None:
            raise NotFoundError(f"customer {customer!r} is in no cell", field="name")
        return now

    def _get(self, key: items.Item) -> items.Item | None:
        with translated_errors(self._missing):
            found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        item: items.Item | None = found.get("Item")
        return item

    def _query(self, pk: str, prefix: str) -> list[items.Item]:
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": items.s(pk), ":prefix": items.s(prefix)},
            "ConsistentRead": True,
        }
        found: list[items.Item] = []
        while True:
            with translated_errors(self._missing):
                response = self._client.query(**params)
            found += response.get("Items", [])
            if not response.get("LastEvaluatedKey"):
                return found
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
