"""Tenant-scoped DynamoDB calls: each customer's table reached under credentials that reach no other.

The function's own role may only assume its tenant-access role, and only with the session tag
``customer=<name>``; that role's policy names ``table/<prefix>${aws:PrincipalTag/customer}-reservations``,
so a request for customer A that names B's table (a bug, an injection) is refused by IAM, not by
our code.  AssumeRole is called once per customer per warm process; the credentials are kept until
``REFRESH_MARGIN`` before they expire, then replaced on the next call.

What a customer costs a warm process is bounded, whatever the number of customers (issue #23): a
boto3 client per customer held its own TLS context with the CA bundle, connection pool, event
hooks and endpoint resolver, about 0.95 MB each, and none was ever let go.  Now one DynamoDB
client serves every customer and signs each call with the credentials of the customer the call
is for (``_CallerCredentials`` reads them from a context variable that ``TenantClient`` sets around
the call), so a customer adds only its credentials (about 2 KB), kept for at most ``MAX_SESSIONS``
customers, least recently used first out.  The client fails closed: a call made outside a
customer's scope has no credentials to sign with and is never sent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.credentials import Credentials, ReadOnlyCredentials

from reservations.domain.tenancy import CUSTOMER_NAME_RE, TENANT_TAG
from reservations.stores.dynamodb_attempts import count_attempts
from reservations.stores.dynamodb_client import aws_client, translated_errors

if TYPE_CHECKING:
    from reservations.settings import Settings

# STS's default session length, and the longest a chained role may ask for (a function's role
# assuming its tenant role is role chaining); refreshed five minutes early so no call carries
# expiring credentials.
SESSION_DURATION = timedelta(hours=1)
REFRESH_MARGIN = timedelta(minutes=5)
# Customers whose credentials a process keeps: 10,000 sessions are about 20 MB. Past it the least
# recently served customer's are dropped, and its next request assumes the role again.
MAX_SESSIONS = 10_000

_calling_as: ContextVar[ReadOnlyCredentials | None] = ContextVar("tenant_credentials", default=None)


class OutsideTenantScopeError(RuntimeError):
    """A call on the shared tenant client made outside any customer's scope: nothing is sent."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def make_sts_client(settings: Settings) -> Any:
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
    return aws_client(
        settings, "sts", endpoint_url=settings.sts_endpoint or settings.dynamodb_endpoint, config=config
    )


class _CallerCredentials(Credentials):  # type: ignore[misc]  # botocore has no type hints
    """The shared client's credentials: those of the customer the current call is made for.

    botocore asks a client's credentials for a frozen copy each time it signs a request (every
    attempt of every call) and for the account ID when it resolves the endpoint, both on the
    calling thread, so a context variable scopes them to one call, whatever other threads do.
    """

    def __init__(self) -> None:  # no keys of its own: deliberately not Credentials.__init__
        self.method = "tenant-scoped"

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        current = _calling_as.get()
        if current is None:
            raise OutsideTenantScopeError("a tenant-scoped call was made outside any customer's scope")
        return current

    @property
    def account_id(self) -> str | None:
        current = _calling_as.get()
        return None if current is None else current.account_id

    @property
    def access_key(self) -> str:
        return str(self.get_frozen_credentials().access_key)

    @property
    def secret_key(self) -> str:
        return str(self.get_frozen_credentials().secret_key)

    @property
    def token(self) -> str | None:
        token: str | None = self.get_frozen_credentials().token
        return token


class _FixedCredentials:
    """A botocore session's credential provider that always answers the same credentials."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def load_credentials(self) -> Credentials:
        return self._credentials


def make_signing_client(settings: Settings, credentials: Credentials) -> Any:
    """The one DynamoDB client for every customer, signing with ``credentials``.

    Made from a botocore session of its own (its credential provider answers ``credentials``) that
    shares boto3's default session's data loader when there is one, so the service model and the
    endpoint rules are parsed once per process, not twice.
    """
    import boto3
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session()
    if boto3.DEFAULT_SESSION is not None:
        session.register_component("data_loader", boto3.DEFAULT_SESSION._session.get_component("data_loader"))
    session.register_component("credential_provider", _FixedCredentials(credentials))
    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
    client = session.create_client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.region, config=config
    )
    return count_attempts(client)


def in_tenant_scope() -> bool:
    """Whether a call made now is signed with a customer's credentials (the suite's call recorder
    attributes calls to the tenant role by it)."""
    return _calling_as.get() is not None


@contextmanager
def calling_as(credentials: ReadOnlyCredentials) -> Iterator[None]:
    token = _calling_as.set(credentials)
    try:
        yield
    finally:
        _calling_as.reset(token)


class TenantClient:
    """The shared client as one customer sees it: each API call is signed with that customer's keys.

    Only the client's operations (``query``, ``transact_write_items``…) are scoped; anything else
    (``meta``, waiters, paginators) is the shared client's own and would run unsigned-for, so it is
    refused rather than handed out."""

    __slots__ = ("_client", "_credentials")

    def __init__(self, client: Any, credentials: ReadOnlyCredentials) -> None:
        self._client = client
        self._credentials = credentials

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in self._client.meta.method_to_api_mapping:
            raise AttributeError(f"{name!r} is not a DynamoDB operation of a tenant-scoped client")
        method = getattr(self._client, name)
        credentials = self._credentials

        def scoped(*args: Any, **kwargs: Any) -> Any:
            with calling_as(credentials):
                return method(*args, **kwargs)

        return scoped


@dataclass(frozen=True)
class _Session:
    credentials: ReadOnlyCredentials
    expires_at: datetime


class TenantClients:
    """Customer -> a client scoped to that customer's tenant credentials, all on one shared client."""

    def __init__(
        self,
        sts: Any,
        role_arn: str,
        make_dynamodb: Callable[[Credentials], Any],
        *,
        clock: Callable[[], datetime] = _utc_now,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self._sts = sts
        self._role_arn = role_arn
        self._make_dynamodb = make_dynamodb
        self._clock = clock
        self._max_sessions = max_sessions
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._shared: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, role_arn: str) -> TenantClients:
        return cls(make_sts_client(settings), role_arn, lambda creds: make_signing_client(settings, creds))

    def __len__(self) -> int:
        return len(self._sessions)

    def client_for(self, customer: str) -> TenantClient:
        if not CUSTOMER_NAME_RE.fullmatch(customer):
            raise ValueError(f"{customer!r} is not a customer name")  # never a tag of another shape
        with self._lock:
            session = self._sessions.get(customer)
            if session is None or self._clock() >= session.expires_at - REFRESH_MARGIN:
                session = self._assume(customer)
                self._sessions[customer] = session
            self._sessions.move_to_end(customer)
            while len(self._sessions) > self._max_sessions:
                self._sessions.popitem(last=False)
            if self._shared is None:
                self._shared = self._make_dynamodb(_CallerCredentials())
            return TenantClient(self._shared, session.credentials)

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
        frozen = ReadOnlyCredentials(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )
        return _Session(frozen, expires_at)

    def close(self) -> None:
        with self._lock:
            self._sessions.clear()
            if self._shared is not None:
                self._shared.close()
                self._shared = None
        self._sts.close()
