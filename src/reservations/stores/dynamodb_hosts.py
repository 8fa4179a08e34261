"""Custom domains in the registry table: host name -> customer, for the edge (issue #23, goal 5).

Every host sits in one partition, ``HOSTS``, so the edge lists them all with one Query (10,000
hosts are about 0.6 MB: one page) rather than a Scan of every customer and key.  A second item per
host, under the customer's own partition, lets ``delete_customer`` find and remove the customer's
hosts with its keys.  ``HOSTS``/``VERSION`` counts changes: each add or remove bumps it in the same
transaction, so the edge's sync polls one small item and reads the hosts only when it moved.
"""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import busy, cancellation_reasons, translated_errors

HOSTS_PK = "HOSTS"
HOST_PREFIX = "HOST#"
_ATTEMPTS = 3


def host_key(host: str) -> items.Item:
    return items.key(HOSTS_PK, f"{HOST_PREFIX}{host}")


def listed_host(customer: str, host: str) -> items.Item:
    return items.key(f"CUSTOMER#{customer}", f"{HOST_PREFIX}{host}")


def version_bump(table: str) -> dict[str, Any]:
    """The change counter's increment, one item of every transaction that adds or removes a host."""
    return {
        "Update": {
            "TableName": table,
            "Key": items.key(HOSTS_PK, "VERSION"),
            "UpdateExpression": "ADD version :one",
            "ExpressionAttributeValues": {":one": items.n(1)},
        }
    }


def host_removals(table: str, customer: str, host: str) -> list[dict[str, Any]]:
    """The two items of one host; ``delete_customer`` adds them to its own transactions."""
    return [items.delete(table, host_key(host)), items.delete(table, listed_host(customer, host))]


class DynamoDBHosts:
    def __init__(self, client: Any, table: str, missing: str) -> None:
        self._client = client
        self._table = table
        self._missing = missing

    def add_host(self, host: str, customer: str) -> bool:
        """One transaction: the customer exists, the host is free, both items and the counter.

        The customer's ``keys_version`` moves too, as a new key moves it: a ``delete_customer`` that
        read the customer's items before this host was added fails and reads them again, rather than
        leaving the host behind for a new customer of the same name."""
        writes = [
            items.update(
                self._table,
                items.customer_key(customer),
                "ADD keys_version :one",
                "attribute_exists(pk)",
                {":one": items.n(1)},
            ),
            items.put(
                self._table,
                {**host_key(host), "customer": items.s(customer)},
                "attribute_not_exists(pk)",
            ),
            {"Put": {"TableName": self._table, "Item": listed_host(customer, host)}},
            version_bump(self._table),
        ]
        try:
            self._transact(writes)
            return True
        except ClientError as exc:
            reasons = cancellation_reasons(exc)
            codes = [reason.get("Code") for reason in reasons]
            if codes[:1] == ["ConditionalCheckFailed"]:
                raise NotFoundError(f"no customer named {customer!r}", field="name") from None
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                holder = reasons[1].get("Item", {}).get("customer", {}).get("S") or self._holder(host)
                if holder == customer:
                    return False
                raise ValidationError(f"host {host!r} belongs to customer {holder!r}", field="host") from None
            raise busy() from exc

    def remove_host(self, host: str) -> str:
        """Removes the host only while it still belongs to the customer read just before."""
        for _ in range(_ATTEMPTS):
            with translated_errors(self._missing):
                found = self._client.get_item(TableName=self._table, Key=host_key(host), ConsistentRead=True)
            if "Item" not in found:
                raise NotFoundError(f"no customer has host {host!r}", field="host")
            customer = str(found["Item"]["customer"]["S"])
            first, second = host_removals(self._table, customer, host)
            first["Delete"]["ConditionExpression"] = "customer = :customer"
            first["Delete"]["ExpressionAttributeValues"] = {":customer": items.s(customer)}
            try:
                self._transact([first, second, version_bump(self._table)])
                return customer
            except ClientError as exc:
                codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
                if "ConditionalCheckFailed" not in codes and "TransactionConflict" not in codes:
                    raise busy() from exc
        raise busy()

    def list_hosts(self) -> dict[str, str]:
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :host)",
            "ExpressionAttributeValues": {":pk": items.s(HOSTS_PK), ":host": items.s(HOST_PREFIX)},
            "ConsistentRead": True,
        }
        hosts: dict[str, str] = {}
        while True:
            try:
                with translated_errors(self._missing):
                    response = self._client.query(**params)
            except NotFoundError:  # no registry table: no hosts
                return {}
            for item in response.get("Items", []):
                hosts[item["sk"]["S"].removeprefix(HOST_PREFIX)] = item["customer"]["S"]
            if not response.get("LastEvaluatedKey"):
                return dict(sorted(hosts.items()))
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def hosts_version(self) -> int:
        try:
            with translated_errors(self._missing):
                found = self._client.get_item(
                    TableName=self._table, Key=items.key(HOSTS_PK, "VERSION"), ConsistentRead=True
                )
        except NotFoundError:
            return 0
        return int(found.get("Item", {}).get("version", items.n(0))["N"])

    def _holder(self, host: str) -> str | None:
        with translated_errors(self._missing):
            found = self._client.get_item(TableName=self._table, Key=host_key(host), ConsistentRead=True)
        return found["Item"]["customer"]["S"] if "Item" in found else None

    def _transact(self, writes: list[dict[str, Any]]) -> None:
        with translated_errors(self._missing):
            self._client.transact_write_items(TransactItems=writes, ClientRequestToken=uuid.uuid4().hex)
