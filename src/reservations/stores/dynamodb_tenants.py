"""Tenant-scoped DynamoDB clients: each customer's table reached under credentials that reach no other.

The function's own role may only assume its tenant-access role, and only with the session tag
``customer=<name>``; that role's policy names ``table/<prefix>${aws:PrincipalTag/customer}-reservations``,
so a request for customer A that names B's table (a bug, an injection) is refused by IAM, not by
our code.  AssumeRole is called once per customer per warm process: the client and its credentials
are kept until ``refresh_margin`` before they expire, then replaced on the next call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from reservations.iam import TENANT_TAG
from reservations.stores.dynamodb_client import make_client, translated_errors
from reservations.tenants import CUSTOMER_NAME_RE

if TYPE_CHECKING:
    from reservations.settings import Settings

# STS's default session length; refreshed five minutes early so no call carries expiring credentials.
SESSION_DURATION = timedelta(hours=1)
REFRESH_MARGIN = timedelta(minutes=5)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def make_sts_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
    return boto3.client(
        "sts",
        endpoint_url=settings.sts_endpoint or settings.dynamodb_endpoint,
        region_name=settings.region,
        config=config,
    )


@dataclass(frozen=True)
class _Session:
    client: Any
    expires_at: datetime


class TenantClients:
    """One DynamoDB client per customer, under that customer's tenant-scoped credentials."""

    def __init__(
        self,
        sts: Any,
        role_arn: str,
        make_dynamodb: Callable[[dict[str, str]], Any],
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._sts = sts
        self._role_arn = role_arn
        self._make_dynamodb = make_dynamodb
        self._clock = clock
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, role_arn: str) -> TenantClients:
        return cls(make_sts_client(settings), role_arn, lambda creds: make_client(settings, creds))

    def client_for(self, customer: str) -> Any:
        if not CUSTOMER_NAME_RE.fullmatch(customer):
            raise ValueError(f"{customer!r} is not a customer name")  # never a tag of another shape
        with self._lock:
            session = self._sessions.get(customer)
            if session is None or self._clock() >= session.expires_at - REFRESH_MARGIN:
                session = self._assume(customer)
                old = self._sessions.get(customer)
                self._sessions[customer] = session
                if old is not None:
                    old.client.close()
            return session.client

    def _assume(self, customer: str) -> _Session:
        with translated_errors():
            answer = self._sts.assume_role(
                RoleArn=self._role_arn,
                RoleSessionName=f"reservations-{customer}"[:64],
                DurationSeconds=int(SESSION_DURATION.total_seconds()),
                Tags=[{"Key": TENANT_TAG, "Value": customer}],
            )
        credentials: dict[str, Any] = answer["Credentials"]
        expires_at: datetime = credentials["Expiration"]
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return _Session(self._make_dynamodb(credentials), expires_at)

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.client.close()
            self._sessions.clear()
        self._sts.close()
