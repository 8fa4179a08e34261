"""What the DynamoDB store and registry share: the client, error translation, table administration."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError, PartialCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError

from reservations.domain.errors import NotFoundError, UnavailableError, ValidationError
from reservations.stores.dynamodb_attempts import count_attempts
from reservations.stores.protocols import TableInfo, protected_message

if TYPE_CHECKING:
    from reservations.settings import Settings

# Errors that say "not now" rather than "no": DynamoDB's capacity and throttling answers and its
# 5xx.  botocore's standard retry mode has already retried them (with backoff) when we see them.
_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "LimitExceededException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
# DynamoDB's per-item cancellation reasons meaning the same.
TRANSIENT_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})

KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]


def aws_client(settings: Settings, service: str, **kwargs: Any) -> Any:
    """boto3's client for ``service`` in the settings' Region, signing with their named profile
    when they have one (a cell's account), else with the process's default session."""
    import boto3

    if settings.aws_profile:
        return profile_session(settings.aws_profile).client(service, region_name=settings.region, **kwargs)
    return boto3.client(service, region_name=settings.region, **kwargs)


@cache
def profile_session(profile: str) -> Any:
    """One session per profile and process: a session loads botocore's data once, and its assumed
    role's credentials are refreshed by it, not assumed again per client."""
    import boto3

    return boto3.Session(profile_name=profile)


def make_client(settings: Settings, credentials: dict[str, str] | None = None) -> Any:
    """A DynamoDB client: standard retries, short timeouts, endpoint overridable.

    The low-level client, not the resource layer: it imports and starts faster (cold start).
    ``credentials`` (``AccessKeyId``/``SecretAccessKey``/``SessionToken``, as STS returns them)
    replace the process's own, for a customer's tenant-scoped client.
    """
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
    explicit: dict[str, str] = {}
    if credentials is not None:
        explicit = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    client = aws_client(
        settings, "dynamodb", endpoint_url=settings.dynamodb_endpoint, config=config, **explicit
    )
    return count_attempts(client)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_transient(exc: ClientError) -> bool:
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return error_code(exc) in _TRANSIENT_CODES or status >= 500


def busy(message: str = "the reservation store is busy; nothing was changed") -> UnavailableError:
    return UnavailableError(message, retry_after_s=1)


@contextmanager
def translated_errors(missing: str = "unknown customer table") -> Iterator[None]:
    """Maps what boto3 raises (after its own retries) onto the domain's errors.

    Anything else, e.g. a cancelled transaction, passes through for the caller to explain.
    """
    try:
        yield
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise NotFoundError(missing) from exc
        if is_transient(exc):
            raise busy() from exc
        raise
    except (BotoConnectionError, HTTPClientError) as exc:
        raise busy("the reservation store cannot be reached") from exc
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise UnavailableError(NO_CREDENTIALS) from exc


# Locally the first DynamoDB command usually meets this: boto3 signs every request, even to
# DynamoDB Local or moto, which accept any key.
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values will do "
    "for a local endpoint such as DynamoDB Local or moto) or AWS_PROFILE"
)


def cancellation_reasons(exc: ClientError) -> list[dict[str, Any]]:
    """The per-item reasons of a cancelled transaction, in the order of its items.

    Re-raises any other error; a cancellation for throttling becomes ``UnavailableError``.
    """
    if error_code(exc) != "TransactionCanceledException":
        raise exc
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons") or []
    if any(reason.get("Code") in TRANSIENT_REASONS for reason in reasons):
        raise busy() from exc
    return reasons


def backoff(attempt: int) -> None:
    """Jittered wait before retrying a transaction another one got in the way of."""
    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)


BATCH_GET_MAX = 100  # DynamoDB's limit of keys per BatchGetItem


def batch_get(
    client: Any,
    table: str,
    keys: list[dict[str, Any]],
    *,
    projection: str | None = None,
    missing: str = "unknown customer table",
    busy_message: str | None = None,
) -> list[dict[str, Any]]:
    """Strongly consistent reads of many keys, 100 a call, asking again for any DynamoDB leaves
    unprocessed (throttling) until none is left; ``busy`` when it keeps leaving some."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_MAX):
        asked: dict[str, Any] = {"Keys": keys[start : start + BATCH_GET_MAX], "ConsistentRead": True}
        if projection:
            asked["ProjectionExpression"] = projection
        request: dict[str, Any] = {table: asked}
        for attempt in range(8):
            if attempt:
                backoff(min(attempt, 4))
            with translated_errors(missing):
                response = client.batch_get_item(RequestItems=request)
            found += response.get("Responses", {}).get(table, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise busy(busy_message) if busy_message else busy()
    return found


class TableAdmin:
    """Creates and deletes tables, waiting for them as AWS needs (moto answers at once)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def create(self, table: str, *, ttl_attribute: str | None = None) -> None:
        """Idempotent: an existing table is left as it is (TTL switched on if it was not)."""
        try:
            self._client.create_table(
                TableName=table,
                KeySchema=KEY_SCHEMA,
                AttributeDefinitions=ATTRIBUTES,
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as exc:
            if error_code(exc) != "ResourceInUseException":
                raise
        waiter = self._client.get_waiter("table_exists")
        waiter.wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        if ttl_attribute is None:
            return
        described = self._client.describe_time_to_live(TableName=table)
        status = described.get("TimeToLiveDescription", {}).get("TimeToLiveStatus", "DISABLED")
        if status in ("DISABLED", "DISABLING"):
            self._client.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
            )

    def drop(self, table: str) -> None:
        """Idempotent: a missing table is fine; returns once the name can be created again.

        A table with deletion protection is refused with ``ValidationError`` (DynamoDB's own answer
        is a ValidationException), never deleted half-way."""
        try:
            self._client.delete_table(TableName=table)
        except ClientError as exc:
            if error_code(exc) == "ValidationException" and "protect" in str(exc).lower():
                raise ValidationError(protected_message(table), field="name") from None
            if error_code(exc) != "ResourceNotFoundException":
                raise
            return
        waiter = self._client.get_waiter("table_not_exists")
        waiter.wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    def info(self, table: str) -> TableInfo | None:
        try:
            described = self._client.describe_table(TableName=table)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        return TableInfo(deletion_protection=bool(described.get("DeletionProtectionEnabled")))

    def exists(self, table: str) -> bool:
        return self.info(table) is not None
