"""Tenant-scoped credentials on moto's server: one AssumeRole per customer per process, tagged with the
customer, renewed shortly before expiry, every data call signed with its own customer's keys, on one
shared client, for at most a bounded number of customers (least recently served out first)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest

from reservations.domain.reservation import ListQuery, NewReservation
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore
from reservations.stores.dynamodb_client import make_client
from reservations.stores.dynamodb_tenants import (
    REFRESH_MARGIN,
    OutsideTenantScopeError,
    TenantClients,
    make_signing_client,
    make_sts_client,
)
from tests.support.settings import TENANT_ROLE_ARN
from tests.support.stores import DAY, NOW


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Wire:
    """What reached moto: each call's operation and the access key that signed it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.tables: list[tuple[str, str]] = []  # (table named in the call, key that signed it)
        self.assume_role_bodies: list[dict[str, list[str]]] = []
        self.issued: dict[str, str] = {}  # access key -> session token, as AssumeRole answered them

    def watch(self, client: Any) -> Any:
        def seen(request: Any, event_name: str, **_: Any) -> None:
            authorization = request.headers.get("Authorization", b"")
            if isinstance(authorization, bytes):
                authorization = authorization.decode()
            key = authorization.split("Credential=", 1)[1].split("/", 1)[0]
            operation = event_name.rsplit(".", 1)[1]
            self.calls.append((operation, key))
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            if operation == "AssumeRole":
                self.assume_role_bodies.append(parse_qs(body))
            elif '"TableName": "' in body:
                self.tables.append((body.split('"TableName": "', 1)[1].split('"', 1)[0], key))

        def answered(parsed: dict[str, Any], **_: Any) -> None:
            credentials = parsed.get("Credentials") or {}
            if "AccessKeyId" in credentials:
                self.issued[credentials["AccessKeyId"]] = credentials["SessionToken"]

        client.meta.events.register("before-send", seen)
        client.meta.events.register("after-call.sts.AssumeRole", answered)
        return client


@pytest.fixture
def settings(moto_endpoint: str) -> Settings:
    return Settings(
        store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="t_", tenant_role_arn=TENANT_ROLE_ARN
    )


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def made(wire: Wire) -> dict[str, str]:
    """Access key -> session token of each tenant session (filled as AssumeRole answers)."""
    return wire.issued


@pytest.fixture
def shared_clients() -> list[Any]:
    """Each DynamoDB client the tenant clients made (filled as they are made)."""
    return []


def tenant_clients(
    settings: Settings, wire: Wire, clock: Clock, shared_clients: list[Any], max_sessions: int = 100
) -> TenantClients:
    def tenant_client(credentials: Any) -> Any:
        shared_clients.append(wire.watch(make_signing_client(settings, credentials)))
        return shared_clients[-1]

    sts = wire.watch(make_sts_client(settings))
    return TenantClients(sts, TENANT_ROLE_ARN, tenant_client, clock=clock, max_sessions=max_sessions)


@pytest.fixture
def store(settings: Settings, wire: Wire, clock: Clock, shared_clients: list[Any]) -> Iterator[DynamoDBStore]:
    tenants = tenant_clients(settings, wire, clock, shared_clients)
    opened = DynamoDBStore(
        wire.watch(make_client(settings)), owns_client=True, tenants=tenants, customer_of=settings.customer_of
    )
    for customer in ("star", "moon"):
        opened.create_table(settings.table_for(customer))
    wire.calls.clear()
    wire.tables.clear()
    yield opened
    opened.close()


def book(store: DynamoDBStore, table: str, room: int) -> None:
    new = NewReservation(guest_name="Ada", room_number=room, nights=2, check_in=DAY)
    reservation = store.add(table, new, created_at=NOW).reservation
    assert store.get(table, reservation.reservation_id) == reservation
    store.list(table, ListQuery())
    store.delete(table, reservation.reservation_id)


def test_one_assume_role_per_customer_and_each_table_under_its_own_keys(
    store: DynamoDBStore, settings: Settings, wire: Wire, made: dict[str, str]
) -> None:
    for room in range(101, 106):
        book(store, settings.table_for("star"), room)
        book(store, settings.table_for("moon"), room)
    operations = Counter(operation for operation, _ in wire.calls)
    assert operations["AssumeRole"] == 2
    keys_by_operation = {key for operation, key in wire.calls if operation != "AssumeRole"}
    assert keys_by_operation == set(made), "every data call is signed with an assumed role's keys"
    assert "testing" not in keys_by_operation  # never the process's own credentials
    assert operations["TransactWriteItems"] == 20


def test_the_session_is_tagged_with_the_customer(
    store: DynamoDBStore, settings: Settings, made: dict[str, str], wire: Wire
) -> None:
    book(store, settings.table_for("star"), 101)
    (sent,) = wire.assume_role_bodies
    assert sent["RoleArn"] == [TENANT_ROLE_ARN]
    assert sent["Tags.member.1.Key"] == ["customer"]
    assert sent["Tags.member.1.Value"] == ["star"]
    assert "Tags.member.2.Key" not in sent
    (access_key, token), *_ = made.items()
    secret = "unused-by-moto"
    identity = boto3.client(
        "sts",
        endpoint_url=settings.dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    ).get_caller_identity()
    assert identity["Arn"].endswith(":assumed-role/reservations-list-tenant/reservations-star")


def test_credentials_are_renewed_shortly_before_they_expire(
    store: DynamoDBStore, settings: Settings, wire: Wire, clock: Clock
) -> None:
    table = settings.table_for("star")
    store.list(table, ListQuery())
    assume = [call for call in wire.calls if call[0] == "AssumeRole"]
    assert len(assume) == 1
    # moto issues one-hour credentials, as asked; just before the margin they are still used ...
    clock.now += timedelta(hours=1) - REFRESH_MARGIN - timedelta(minutes=1)
    store.list(table, ListQuery())
    assert sum(1 for call in wire.calls if call[0] == "AssumeRole") == 1
    # ... and within it they are replaced before the call.
    clock.now += timedelta(minutes=2)
    store.list(table, ListQuery())
    assert sum(1 for call in wire.calls if call[0] == "AssumeRole") == 2
    queries = [key for operation, key in wire.calls if operation == "Query"]
    assert queries[0] == queries[1] != queries[2]


def test_without_a_tenant_role_the_process_credentials_are_used(moto_endpoint: str, wire: Wire) -> None:
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="t_")
    opened = DynamoDBStore(wire.watch(make_client(settings)), owns_client=True)
    opened.create_table(settings.table_for("star"))
    book(opened, settings.table_for("star"), 101)
    opened.close()
    assert {key for _, key in wire.calls} == {"testing"}


def test_a_table_that_is_no_customers_is_refused_before_any_call(store: DynamoDBStore, wire: Wire) -> None:
    with pytest.raises(ValueError, match="not a customer table"):
        store.list("t_reservations-customers", ListQuery())
    assert wire.calls == []


@pytest.mark.parametrize("table", ["t_*-reservations", "t_st?r-reservations", "t_Star-reservations"])
def test_no_session_is_asked_for_a_name_that_is_no_customers(
    store: DynamoDBStore, wire: Wire, table: str
) -> None:
    with pytest.raises(ValueError, match="not a customer name"):
        store.list(table, ListQuery())
    assert wire.calls == []


def test_a_restored_copy_is_reached_under_its_customers_session(settings: Settings) -> None:
    assert settings.customer_of("t_star.r20261129071502123-reservations") == "star"
    assert settings.customer_of("t_star-x-reservations") == "star-x"
    for table in ("t_star.x-reservations", "t_.r20261129071502123-reservations", "t_star.r1-reservations"):
        with pytest.raises(ValueError, match="not a customer table"):
            settings.customer_of(table)


def test_a_request_makes_no_client_under_the_process_credentials(settings: Settings, wire: Wire) -> None:
    """Tenant-scoped, the process's own client serves only table administration: made on first use,
    so a function's cold start pays for the STS and the customer's clients, not for a third."""
    made: list[Any] = []

    def process_client() -> Any:
        made.append(wire.watch(make_client(settings)))
        return made[-1]

    store = DynamoDBStore.from_settings(settings)
    lazy = DynamoDBStore(
        owns_client=True,
        tenants=TenantClients.from_settings(settings, TENANT_ROLE_ARN),
        customer_of=settings.customer_of,
        make_process_client=process_client,
    )
    try:
        store.create_table(settings.table_for("star"))
        book(lazy, settings.table_for("star"), 101)
        assert made == []
        lazy.create_table(settings.table_for("moon"))
        assert len(made) == 1
        assert ("CreateTable", "testing") in wire.calls  # administration: the process's own keys
    finally:
        lazy.close()
        store.close()


def test_every_customer_is_served_by_one_client(
    store: DynamoDBStore, settings: Settings, shared_clients: list[Any], wire: Wire
) -> None:
    """A client per customer held its own TLS context and pool (~0.95 MB each, issue #23)."""
    for customer in ("star", "moon", "star"):
        store.list(settings.table_for(customer), ListQuery())
    assert len(shared_clients) == 1
    keys = {table: {key for named, key in wire.tables if named == table} for table, _ in wire.tables}
    assert len(keys) == 2
    assert all(len(signed_by) == 1 for signed_by in keys.values())
    assert keys[settings.table_for("star")] != keys[settings.table_for("moon")]


def test_the_least_recently_served_customer_is_forgotten_past_the_bound(
    settings: Settings, wire: Wire, clock: Clock, shared_clients: list[Any]
) -> None:
    tenants = tenant_clients(settings, wire, clock, shared_clients, max_sessions=2)
    store = DynamoDBStore(
        make_client(settings), owns_client=True, tenants=tenants, customer_of=settings.customer_of
    )
    try:
        for customer in ("star", "moon", "sun"):
            store.create_table(settings.table_for(customer))
        assumed = []
        for customer in ("star", "moon", "sun", "moon", "star", "moon"):
            before = len(wire.assume_role_bodies)
            store.list(settings.table_for(customer), ListQuery())
            assumed.append(len(wire.assume_role_bodies) - before)
            assert len(tenants) <= 2
        # sun pushed star out; moon, served since, stayed; star came back and pushed sun out.
        assert assumed == [1, 1, 1, 0, 1, 0]
    finally:
        store.close()


def test_the_shared_client_sends_nothing_outside_a_customers_scope(
    store: DynamoDBStore, settings: Settings, shared_clients: list[Any], wire: Wire
) -> None:
    store.list(settings.table_for("star"), ListQuery())
    wire.calls.clear()
    (shared,) = shared_clients
    with pytest.raises(OutsideTenantScopeError):
        shared.query(
            TableName=settings.table_for("star"),
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "x"}},
        )
    assert wire.calls == []
    with pytest.raises(AttributeError, match="not a DynamoDB operation"):
        store.data(settings.table_for("star")).get_paginator  # noqa: B018 - the refusal is the point


def test_concurrent_calls_for_two_customers_are_each_signed_with_their_own_keys(
    store: DynamoDBStore, settings: Settings, wire: Wire
) -> None:
    customers = ("star", "moon")
    for customer in customers:  # one session each first, so the threads only read
        store.list(settings.table_for(customer), ListQuery())
    signer = {table: key for table, key in wire.tables}
    wire.tables.clear()
    start = threading.Barrier(len(customers))

    def serve(customer: str) -> None:
        start.wait()
        for _ in range(20):
            store.list(settings.table_for(customer), ListQuery())

    threads = [threading.Thread(target=serve, args=(customer,)) for customer in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wire.tables) == 40
    assert all(signer[table] == key for table, key in wire.tables)
