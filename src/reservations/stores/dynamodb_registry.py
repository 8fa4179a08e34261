"""The customer registry in one DynamoDB table (``Settings.registry_table_name``).

The authorizer asks one question per request, "whose key is this, and is the customer it names
active?": one consistent BatchGetItem of ``KEY#<hash>`` and ``CUSTOMER#<name>``.  Keys are listed per customer under the customer's partition, so ``list_keys`` is one
Query and key changes are single transactions.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import (
    TableAdmin,
    backoff,
    batch_get,
    busy,
    cancellation_reasons,
    error_code,
    make_client,
    translated_errors,
)
from reservations.stores.dynamodb_hosts import DynamoDBHosts, host_removals, version_bump
from reservations.stores.protocols import CustomerRecord, KeyRecord

if TYPE_CHECKING:
    from reservations.settings import Settings

_TRANSACTION_ATTEMPTS = 4
_TRANSACTION_MAX_ITEMS = 100  # DynamoDB's limit per TransactWriteItems


class DynamoDBRegistry:
    def __init__(self, client: Any, table: str, *, owns_client: bool = False) -> None:
        self._client = client
        self._table = table
        self._owns_client = owns_client
        self._missing = f"the customer registry table {table} does not exist"
        # Custom domains (``dynamodb_hosts``): the same table, items of their own.
        self._hosts = DynamoDBHosts(client, table, self._missing)

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoDBRegistry:
        return cls(make_client(settings), settings.registry_table_name, owns_client=True)

    def ensure_table(self) -> None:
        """Creates the registry table if it is missing (local stacks; Terraform creates it in AWS)."""
        with translated_errors(self._missing):
            TableAdmin(self._client).create(self._table)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    # ----------------------------------------------------------------------- reads

    def get_customer(self, name: str) -> CustomerRecord | None:
        item = self._get(items.customer_key(name))
        return items.customer_from_item(item) if item else None

    def list_customers(self) -> list[CustomerRecord]:
        """A Scan: the registry is small and only the admin CLI lists it."""
        found: list[CustomerRecord] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "sk = :customer",
            "ExpressionAttributeValues": {":customer": items.s("CUSTOMER")},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("scan", **params)
            if response is None:
                return []
            found.extend(items.customer_from_item(item) for item in response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                return sorted(found, key=lambda customer: customer.name)
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list_keys(self, name: str) -> list[KeyRecord]:
        found: list[KeyRecord] = []
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :key)",
            "ExpressionAttributeValues": {":pk": items.s(f"CUSTOMER#{name}"), ":key": items.s("KEY#")},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("query", **params)
            if response is None:
                return []
            found.extend(items.key_from_item(item) for item in response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                return sorted(found, key=lambda key: (key.created_at, key.key_id))
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list_customers_with_keys(self) -> list[tuple[CustomerRecord, list[KeyRecord]]]:
        """One Scan (a few pages at 10,000 customers: about 200 bytes an item) of the customers'
        and their keys' items, grouped here."""
        customers: dict[str, CustomerRecord] = {}
        keys: dict[str, list[KeyRecord]] = {}
        params: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "sk = :customer OR (begins_with(pk, :owner) AND begins_with(sk, :key))",
            "ExpressionAttributeValues": {
                ":customer": items.s("CUSTOMER"),
                ":owner": items.s("CUSTOMER#"),
                ":key": items.s("KEY#"),
            },
            "ConsistentRead": True,
        }
        while True:
            response = self._call("scan", **params)
            if response is None:
                return []
            for item in response.get("Items", []):
                if item["sk"]["S"] == "CUSTOMER":
                    customer = items.customer_from_item(item)
                    customers[customer.name] = customer
                else:
                    key = items.key_from_item(item)
                    keys.setdefault(key.customer, []).append(key)
            if not response.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [
            (customers[name], sorted(keys.get(name, []), key=lambda k: (k.created_at, k.key_id)))
            for name in sorted(customers)
        ]

    def key_and_customer(
        self, key_hash: str, name: str | None = None
    ) -> tuple[str | None, CustomerRecord | None]:
        """One BatchGetItem (``batch_get`` asks again for keys DynamoDB leaves unprocessed)."""
        wanted = [items.owner_key(key_hash)] + ([items.customer_key(name)] if name else [])
        try:
            found = batch_get(
                self._client,
                self._table,
                wanted,
                missing=self._missing,
                busy_message="the customer registry is busy; try again",
            )
        except NotFoundError:  # no registry table: no key, no customer
            return None, None
        # The two items differ by their sort key: KEY (the key's owner) and CUSTOMER.
        by_sort_key = {item["sk"]["S"]: item for item in found}
        key_item, customer_item = by_sort_key.get("KEY"), by_sort_key.get("CUSTOMER")
        owner = key_item["customer"]["S"] if key_item else None
        return owner, items.customer_from_item(customer_item) if customer_item else None

    # ----------------------------------------------------------------------- writes

    def create_customer(self, customer: CustomerRecord, key: KeyRecord) -> None:
        """The customer and its first key appear together or not at all."""
        attributes = items.key_attributes(key)
        writes = [
            _put(self._table, items.customer_item(customer), "attribute_not_exists(pk)"),
            _put(self._table, {**items.owner_key(key.key_hash), **attributes}, "attribute_not_exists(pk)"),
            _put(self._table, {**items.listed_key(customer.name, key.key_hash), **attributes}),
        ]
        try:
            self._transact(writes)
        except ClientError as exc:
            codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise ValidationError(f"customer {customer.name!r} already exists", field="name") from None
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise ValidationError("this API key is already in use", field="api_key") from None
            raise busy() from exc

    def replace_keys(self, name: str, key: KeyRecord) -> None:
        """One transaction, guarded by the customer's ``keys_version``: a key added concurrently
        cannot survive a rotation unseen.  Holds up to 48 old keys (the transaction limit)."""
        for attempt in range(_TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            customer = self._get(items.customer_key(name))
            if customer is None:
                raise NotFoundError(f"no customer named {name!r}", field="name")
            version = int(customer.get("keys_version", items.n(0))["N"])
            old = [k for k in self.list_keys(name) if k.key_hash != key.key_hash]
            attributes = items.key_attributes(key)
            writes: list[dict[str, Any]] = [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.customer_key(name),
                        "UpdateExpression": "SET keys_version = :next",
                        "ConditionExpression": "attribute_not_exists(keys_version) OR keys_version = :seen",
                        "ExpressionAttributeValues": {
                            ":seen": items.n(version),
                            ":next": items.n(version + 1),
                        },
                    }
                },
                *(_delete(self._table, items.owner_key(k.key_hash)) for k in old),
                *(_delete(self._table, items.listed_key(name, k.key_hash)) for k in old),
                _put(self._table, {**items.owner_key(key.key_hash), **attributes}),
                _put(self._table, {**items.listed_key(name, key.key_hash), **attributes}),
            ]
            if len(writes) > _TRANSACTION_MAX_ITEMS:
                raise ValidationError(f"customer {name!r} has too many keys to replace at once", field="name")
            try:
                self._transact(writes)
                return
            except ClientError as exc:
                codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
                retry = codes[:1] == ["ConditionalCheckFailed"] or "TransactionConflict" in codes
                if not retry:
                    raise busy() from exc
        raise busy()

    def delete_customer(self, name: str) -> None:
        """Keys (and custom domains) first, the customer last: an interrupted delete never leaves a
        key without owner.

        The customer goes only while its ``keys_version`` is as read with its keys: a rotation
        committing in between (a key this delete never saw) fails it, and the keys are read again.
        Otherwise that key would outlive its customer, and work again for a new one of that name.
        """
        for attempt in range(_TRANSACTION_ATTEMPTS):
            if attempt:
                backoff(attempt)
            owned = self._owned(name)
            customer = next((item for item in owned if item["sk"]["S"] == "CUSTOMER"), None)
            if customer is None:
                raise NotFoundError(f"no customer named {name!r}", field="name")
            writes = []
            for item in owned:
                sort_key = item["sk"]["S"]
                if sort_key.startswith("KEY#"):
                    writes.append(_delete(self._table, items.owner_key(sort_key.removeprefix("KEY#"))))
                    writes.append(_delete(self._table, items.listed_key(name, sort_key.removeprefix("KEY#"))))
                if sort_key.startswith("HOST#"):  # its custom domains go with it
                    writes += host_removals(self._table, name, sort_key.removeprefix("HOST#"))
            if any(item["sk"]["S"].startswith("HOST#") for item in owned):
                writes.append(version_bump(self._table))
            seen = customer.get("keys_version", items.n(0))
            last = _delete(self._table, items.customer_key(name))
            last["Delete"]["ConditionExpression"] = (
                "attribute_not_exists(keys_version) OR keys_version = :seen"
            )
            last["Delete"]["ExpressionAttributeValues"] = {":seen": seen}
            writes.append(last)
            try:
                for start in range(0, len(writes), _TRANSACTION_MAX_ITEMS):
                    self._transact(writes[start : start + _TRANSACTION_MAX_ITEMS])
                return
            except ClientError as exc:
                codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
                if "ConditionalCheckFailed" not in codes and "TransactionConflict" not in codes:
                    raise busy() from exc
        raise busy()

    def _owned(self, name: str) -> list[items.Item]:
        """The customer's item and its keys' items, read consistently."""
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": items.s(f"CUSTOMER#{name}")},
            "ConsistentRead": True,
        }
        owned: list[items.Item] = []
        while True:
            response = self._call("query", **params)
            if response is None:
                return owned
            owned.extend(response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                return owned
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def set_status(self, name: str, status: str) -> None:
        try:
            with translated_errors(self._missing):
                self._client.update_item(
                    TableName=self._table,
                    Key=items.customer_key(name),
                    UpdateExpression="SET #status = :status",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":status": items.s(status)},
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise NotFoundError(f"no customer named {name!r}", field="name") from None

    def set_tier(self, name: str, tier: str) -> None:
        try:
            with translated_errors(self._missing):
                self._client.update_item(
                    TableName=self._table,
                    Key=items.customer_key(name),
                    UpdateExpression="SET tier = :tier",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":tier": items.s(tier)},
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise NotFoundError(f"no customer named {name!r}", field="name") from None

    def switch_table(self, name: str, old_table: str, new_table: str) -> None:
        """Points the customer at ``new_table`` (a restored copy), only if it still uses ``old_table``.

        The condition makes two restores racing for one customer safe: the second is refused
        instead of silently replacing the first one's table.
        """
        try:
            with translated_errors(self._missing):
                self._client.update_item(
                    TableName=self._table,
                    Key=items.customer_key(name),
                    UpdateExpression="SET #table = :new",
                    ConditionExpression="attribute_exists(pk) AND #table = :old",
                    ExpressionAttributeNames={"#table": "table"},
                    ExpressionAttributeValues={":new": items.s(new_table), ":old": items.s(old_table)},
                )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            current = self.get_customer(name)
            if current is None:
                raise NotFoundError(f"no customer named {name!r}", field="name") from None
            raise ValidationError(
                f"customer {name!r} now uses table {current.table}, not {old_table}; nothing was switched",
                field="name",
            ) from None

    # ----------------------------------------------------------------------- custom domains

    def add_host(self, host: str, customer: str) -> bool:
        return self._hosts.add_host(host, customer)

    def remove_host(self, host: str) -> str:
        return self._hosts.remove_host(host)

    def list_hosts(self) -> dict[str, str]:
        return self._hosts.list_hosts()

    def hosts_version(self) -> int:
        return self._hosts.hosts_version()

    # ----------------------------------------------------------------------- helpers

    def _get(self, key: items.Item) -> items.Item | None:
        response = self._call("get_item", TableName=self._table, Key=key, ConsistentRead=True)
        item: items.Item | None = response.get("Item") if response else None
        return item

    def _call(self, operation: str, **params: Any) -> dict[str, Any] | None:
        """A read; ``None`` when the registry table does not exist (then no customer does either)."""
        try:
            with translated_errors(self._missing):
                response: dict[str, Any] = getattr(self._client, operation)(**params)
        except NotFoundError:
            return None
        return response

    def _transact(self, writes: list[dict[str, Any]]) -> None:
        with translated_errors(self._missing):
            self._client.transact_write_items(TransactItems=writes, ClientRequestToken=uuid.uuid4().hex)


def _put(table: str, item: items.Item, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": item}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _delete(table: str, key: items.Item) -> dict[str, Any]:
    return {"Delete": {"TableName": table, "Key": key}}
