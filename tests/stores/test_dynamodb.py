"""What only the DynamoDB store does: its item layout, botocore's retries, cancellation reasons, TTL.

Everything runs against moto's server over HTTP.  Faults (throttling, 5xx) are injected at the wire,
in botocore's ``before-send`` hook, so the store's real client, its retry configuration and
botocore's parsing of the error all take part; the request never reaches moto, as with a real
throttle.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from reservations.domain.errors import (
    ConflictError,
    IdempotencyMismatchError,
    NotFoundError,
    UnavailableError,
    ValidationError,
)
from reservations.domain.reservation import Cursor, ListQuery, NewReservation, Page
from reservations.settings import Settings
from reservations.stores import dynamodb as dynamodb_module
from reservations.stores.dynamodb import DynamoDBRegistry, DynamoDBStore
from reservations.stores.dynamodb_client import make_client
from reservations.stores.protocols import CustomerRecord, IdempotencyClaim
from reservations.tenants.admin import key_record
from tests.support.stores import DAY, NOW

TABLE = "test_star-reservations"


def new(room: int = 101, check_in: date = DAY, nights: int = 2, guest: str = "Ada") -> NewReservation:
    return NewReservation(guest_name=guest, room_number=room, nights=nights, check_in=check_in)


@pytest.fixture
def settings(moto_endpoint: str) -> Settings:
    return Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="test_")


@pytest.fixture
def client(settings: Settings) -> Iterator[Any]:
    made = make_client(settings)
    yield made
    made.close()


@pytest.fixture
def store(client: Any) -> DynamoDBStore:
    created = DynamoDBStore(client)
    created.create_table(TABLE)
    return created


def raw_items(client: Any, table: str = TABLE) -> dict[tuple[str, str], dict[str, Any]]:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return {(item["pk"]["S"], item["sk"]["S"]): item for item in items}


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def dynamodb_error(status: int, code: str) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"})
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
    return AWSResponse("http://injected", status, headers, _Body(body.encode()))


class Faults:
    """Answers the first ``times`` calls of an operation with an error, as DynamoDB would."""

    def __init__(self, client: Any, operation: str, status: int, code: str, times: int = 1000) -> None:
        self.calls = 0
        self._left = times
        self._status, self._code = status, code
        client.meta.events.register(f"before-send.dynamodb.{operation}", self)

    def __call__(self, **_: Any) -> AWSResponse | None:
        self.calls += 1
        if self._left <= 0:
            return None
        self._left -= 1
        return dynamodb_error(self._status, self._code)


class Calls:
    """Counts the calls of an operation that reach the wire."""

    def __init__(self, client: Any, operation: str) -> None:
        self.count = 0
        client.meta.events.register(f"before-send.dynamodb.{operation}", self)

    def __call__(self, **_: Any) -> None:
        self.count += 1


# ----------------------------------------------------------------------------- layout


def test_add_writes_one_transaction_of_list_id_and_night_items(store: DynamoDBStore, client: Any):
    claim = IdempotencyClaim("a" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    r = store.add(TABLE, new(101, DAY, 2), created_at=NOW, idempotency=claim).reservation
    items = raw_items(client)
    sort_key = f"{DAY}#00101#{r.reservation_id:016d}"
    assert set(items) == {
        ("RES", sort_key),
        (f"ID#{r.reservation_id}", "ID"),
        (f"NIGHT#101#{DAY}", "NIGHT"),
        (f"NIGHT#101#{DAY + timedelta(days=1)}", "NIGHT"),
        ("COUNTER", "COUNTER"),
        ("IDEM#" + "a" * 64, "IDEM"),
    }
    assert items[(f"NIGHT#101#{DAY + timedelta(days=1)}", "NIGHT")]["reservation_id"] == {
        "N": str(r.reservation_id)
    }
    assert items[("RES", sort_key)]["check_out"] == {"S": str(DAY + timedelta(days=2))}
    idem = items[("IDEM#" + "a" * 64, "IDEM")]
    assert idem["expires_at"] == {"N": str(int((NOW + timedelta(hours=24)).timestamp()))}
    assert json.loads(idem["reservation"]["S"]) == r.to_json()


def test_delete_removes_every_item_of_the_reservation(store: DynamoDBStore, client: Any):
    r = store.add(TABLE, new(101, DAY, 3), created_at=NOW).reservation
    store.delete(TABLE, r.reservation_id)
    assert set(raw_items(client)) == {("COUNTER", "COUNTER")}
    with pytest.raises(NotFoundError):
        store.delete(TABLE, r.reservation_id)


def test_table_has_the_terraform_key_schema_and_ttl(store: DynamoDBStore, client: Any):
    store.create_table(TABLE)  # a second time: a no-op
    table = client.describe_table(TableName=TABLE)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_missing_table_is_not_found_for_every_operation(client: Any):
    store = DynamoDBStore(client)
    for call in (
        lambda: store.get("test_ghost-reservations", 1),
        lambda: store.list("test_ghost-reservations", ListQuery()),
        lambda: store.delete("test_ghost-reservations", 1),
    ):
        with pytest.raises(NotFoundError, match="unknown customer table"):
            call()
    store.drop_table("test_ghost-reservations")  # dropping what is not there is fine


# ----------------------------------------------------------------------------- faults


@pytest.mark.slow
def test_throttled_add_is_unavailable_after_botocores_retries_and_writes_nothing(
    store: DynamoDBStore, client: Any
):
    faults = Faults(client, "TransactWriteItems", 400, "ThrottlingException")
    with pytest.raises(UnavailableError) as caught:
        store.add(TABLE, new(101), created_at=NOW)
    assert caught.value.retry_after_s == 1
    assert faults.calls == 5  # the configured standard mode: one call and max_attempts=4 retries
    assert [key for key in raw_items(client) if key[0] != "COUNTER"] == []
    assert store.list(TABLE, ListQuery()).items == []


def test_throttling_that_passes_within_the_retries_is_invisible(store: DynamoDBStore, client: Any):
    faults = Faults(client, "TransactWriteItems", 400, "ProvisionedThroughputExceededException", times=2)
    r = store.add(TABLE, new(101), created_at=NOW).reservation
    assert faults.calls == 3
    assert store.get(TABLE, r.reservation_id) == r


def test_server_errors_on_reads_are_unavailable(store: DynamoDBStore, client: Any):
    faults = Faults(client, "Query", 500, "InternalServerError")
    with pytest.raises(UnavailableError):
        store.list(TABLE, ListQuery())
    assert faults.calls == 5


def test_unreachable_endpoint_is_unavailable(free_settings: Settings):
    store = DynamoDBStore.from_settings(free_settings)
    try:
        with pytest.raises(UnavailableError, match="cannot be reached"):
            store.get(TABLE, 1)
    finally:
        store.close()


@pytest.fixture
def free_settings() -> Settings:
    from tests.support.server import free_port

    return Settings(store="dynamodb", dynamodb_endpoint=f"http://127.0.0.1:{free_port()}")


# ----------------------------------------------------------------------------- cancellation reasons


def test_conflict_names_the_first_taken_night_and_its_holder(store: DynamoDBStore):
    holder = store.add(TABLE, new(101, DAY + timedelta(days=2), 3), created_at=NOW).reservation
    with pytest.raises(ConflictError) as caught:
        store.add(TABLE, new(101, DAY, 5), created_at=NOW)
    assert caught.value.night == DAY + timedelta(days=2)
    assert caught.value.holder == holder


def test_conflict_without_items_in_the_reasons_reads_the_night(store: DynamoDBStore, client: Any):
    """Some DynamoDB emulators omit ``Item`` from cancellation reasons: the store reads instead."""

    def strip_items(parsed: dict[str, Any], **_: Any) -> None:
        for reason in parsed.get("CancellationReasons") or []:
            reason.pop("Item", None)

    client.meta.events.register("after-call.dynamodb.TransactWriteItems", strip_items)
    holder = store.add(TABLE, new(101, DAY, 1), created_at=NOW).reservation
    with pytest.raises(ConflictError) as caught:
        store.add(TABLE, new(101, DAY, 1), created_at=NOW)
    assert caught.value.holder == holder
    claim = IdempotencyClaim("b" * 64, new(7).fingerprint(), NOW + timedelta(hours=24))
    first = store.add(TABLE, new(7), created_at=NOW, idempotency=claim).reservation
    assert store.add(TABLE, new(7), created_at=NOW, idempotency=claim).reservation == first


def test_holder_deleted_after_the_cancellation_lets_the_add_retry_and_win(
    store: DynamoDBStore, client: Any, settings: Settings
):
    holder = store.add(TABLE, new(101, DAY, 1), created_at=NOW).reservation
    other = DynamoDBStore(make_client(settings), owns_client=True)

    def delete_holder_once(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("CancellationReasons") and other.get(TABLE, holder.reservation_id):
            other.delete(TABLE, holder.reservation_id)

    client.meta.events.register("after-call.dynamodb.TransactWriteItems", delete_holder_once)
    try:
        won = store.add(TABLE, new(101, DAY, 1), created_at=NOW).reservation
    finally:
        other.close()
    assert [r.reservation_id for r in store.list(TABLE, ListQuery()).items] == [won.reservation_id]


def test_replay_reads_the_snapshot_not_the_live_reservation(store: DynamoDBStore):
    claim = IdempotencyClaim("c" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    first = store.add(TABLE, new(), created_at=NOW, idempotency=claim).reservation
    store.delete(TABLE, first.reservation_id)
    again = store.add(TABLE, new(), created_at=NOW, idempotency=claim)
    assert again.replayed
    assert again.reservation == first
    assert store.list(TABLE, ListQuery()).items == []


# ----------------------------------------------------------------------------- TTL


def put_idempotency_record(client: Any, key_hash: str, fingerprint: str, expires_at: datetime) -> None:
    snapshot = {
        "reservation_id": 999,
        "guest_name": "Old",
        "room_number": 1,
        "nights": 1,
        "check_in": "2026-11-01",
        "check_out": "2026-11-02",
        "created_at": "2026-10-31T00:00:00Z",
    }
    client.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": f"IDEM#{key_hash}"},
            "sk": {"S": "IDEM"},
            "fingerprint": {"S": fingerprint},
            "reservation": {"S": json.dumps(snapshot)},
            "expires_at": {"N": str(int(expires_at.timestamp()))},
        },
    )


def test_expired_record_not_yet_swept_by_ttl_counts_as_absent(store: DynamoDBStore, client: Any):
    put_idempotency_record(client, "d" * 64, "other-request", NOW - timedelta(seconds=1))
    claim = IdempotencyClaim("d" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    result = store.add(TABLE, new(), created_at=NOW, idempotency=claim)
    assert not result.replayed
    record = raw_items(client)[("IDEM#" + "d" * 64, "IDEM")]
    assert record["fingerprint"] == {"S": new().fingerprint()}  # the stale record was replaced


def test_live_record_with_other_fingerprint_is_a_mismatch(store: DynamoDBStore, client: Any):
    put_idempotency_record(client, "e" * 64, "other-request", NOW + timedelta(seconds=5))
    claim = IdempotencyClaim("e" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    with pytest.raises(IdempotencyMismatchError):
        store.add(TABLE, new(), created_at=NOW, idempotency=claim)
    assert [key for key in raw_items(client) if key[0].startswith(("RES", "NIGHT"))] == []


# ----------------------------------------------------------------------------- listing


@pytest.mark.slow
def test_selective_filter_returns_short_pages_with_bounded_reads(
    store: DynamoDBStore, client: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(dynamodb_module, "_FILTERED_BATCH", 10)
    monkeypatch.setattr(dynamodb_module, "_EXTRA_READ_BUDGET", 10)
    for room in range(1, 41):
        store.add(TABLE, new(room, DAY, 1), created_at=NOW)
    queries = Calls(client, "Query")
    page = store.list(TABLE, ListQuery(limit=5, room_number=40))
    assert page.items == []
    assert page.next_cursor is not None
    assert queries.count == 2
    found = []
    while page.next_cursor is not None:
        page = store.list(TABLE, ListQuery(limit=5, room_number=40, cursor=Cursor.decode(page.next_cursor)))
        found += page.items
    assert [r.room_number for r in found] == [40]


def test_window_entirely_before_the_cursor_is_empty_without_error(store: DynamoDBStore):
    store.add(TABLE, new(1, DAY, 1), created_at=NOW)
    after = Cursor(DAY + timedelta(days=9), 1, 1)
    page = store.list(TABLE, ListQuery(cursor=after, end=DAY + timedelta(days=5)))
    assert page == Page([], None)


def test_last_full_page_has_no_cursor(store: DynamoDBStore):
    for room in (1, 2, 3, 4):
        store.add(TABLE, new(room, DAY, 1), created_at=NOW)
    first = store.list(TABLE, ListQuery(limit=2))
    assert first.next_cursor is not None
    second = store.list(TABLE, ListQuery(limit=2, cursor=Cursor.decode(first.next_cursor)))
    assert [r.room_number for r in second.items] == [3, 4]
    assert second.next_cursor is None


@pytest.fixture(scope="module")
def serial_moto() -> Iterator[str]:
    """moto answering one request at a time: its threaded server is not atomic (see serial_moto)."""
    from tests.serial_moto import SerialMotoServer
    from tests.support.server import free_port

    port = free_port()
    server = SerialMotoServer(port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.mark.slow
def test_many_concurrent_adds_of_one_room_night_have_one_winner_and_leave_no_trace(serial_moto: str):
    client = make_client(Settings(store="dynamodb", dynamodb_endpoint=serial_moto))
    store = DynamoDBStore(client, owns_client=True)
    store.drop_table(TABLE)
    store.create_table(TABLE)
    barrier = threading.Barrier(20)

    def attempt(i: int) -> str:
        if i < 20:
            barrier.wait()
        try:
            store.add(TABLE, new(7, DAY, 1, guest=f"g{i}"), created_at=NOW)
        except ConflictError as exc:
            holder = exc.holder.reservation_id if exc.holder else None
            return f"conflict with {holder}"
        return "won"

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(attempt, range(200)))
        listed = store.list(TABLE, ListQuery()).items
        assert sorted(outcomes) == [f"conflict with {listed[0].reservation_id}"] * 199 + ["won"]
        assert len(listed) == 1
        winner = listed[0].reservation_id
        assert set(raw_items(client)) == {
            ("RES", f"{DAY}#00007#{winner:016d}"),
            (f"ID#{winner}", "ID"),
            (f"NIGHT#7#{DAY}", "NIGHT"),
            ("COUNTER", "COUNTER"),
        }
    finally:
        store.drop_table(TABLE)
        store.close()


# ----------------------------------------------------------------------------- registry


@pytest.fixture
def registry(client: Any, settings: Settings) -> DynamoDBRegistry:
    return DynamoDBRegistry(client, settings.registry_table_name)


def test_registry_reads_on_a_missing_table_find_nothing(registry: DynamoDBRegistry):
    assert registry.get_customer("star") is None
    assert registry.key_and_customer("0" * 64)[0] is None
    assert registry.list_customers() == []
    assert registry.list_keys("star") == []


def test_registry_table_is_created_once_and_keys_are_items(
    registry: DynamoDBRegistry, client: Any, settings: Settings
):
    registry.ensure_table()
    registry.ensure_table()
    key = key_record("star", "rsv_secret")
    registry.create_customer(CustomerRecord("star", "test_star-reservations", "active", NOW), key)
    items = raw_items(client, settings.registry_table_name)
    assert set(items) == {
        ("CUSTOMER#star", "CUSTOMER"),
        ("CUSTOMER#star", f"KEY#{key.key_hash}"),
        (f"KEY#{key.key_hash}", "KEY"),
    }
    assert "rsv_secret" not in json.dumps(list(items.values()))  # only the hash is stored


def test_registry_refuses_a_key_already_owned_and_rotation_of_a_stranger(registry: DynamoDBRegistry):
    registry.ensure_table()
    key = key_record("star", "rsv_shared")
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key)
    with pytest.raises(ValidationError):
        registry.create_customer(CustomerRecord("moon", "t", "active", NOW), key_record("moon", "rsv_shared"))
    assert registry.get_customer("moon") is None
    with pytest.raises(NotFoundError):
        registry.replace_keys("moon", key_record("moon", "rsv_new"))


def test_rotation_replaces_every_key_even_several(
    registry: DynamoDBRegistry, client: Any, settings: Settings
):
    registry.ensure_table()
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_1"))
    registry.replace_keys("star", key_record("star", "rsv_2"))
    registry.replace_keys("star", key_record("star", "rsv_3"))
    assert [k.key_hash for k in registry.list_keys("star")] == [key_record("star", "rsv_3").key_hash]
    owners = [pk for pk, _ in raw_items(client, settings.registry_table_name) if pk.startswith("KEY#")]
    assert owners == [f"KEY#{key_record('star', 'rsv_3').key_hash}"]
