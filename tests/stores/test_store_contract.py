"""The store contract: every ``Store`` and ``Registry`` implementation must pass all of it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from reservations.domain.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyMismatchError,
    NotFoundError,
    ValidationError,
)
from reservations.domain.reservation import Cursor, ListQuery
from reservations.settings import Settings
from reservations.stores.protocols import CustomerRecord, IdempotencyClaim, Registry, Store
from reservations.tenants.admin import key_record
from reservations.tenants.auth import authorize
from tests.support.stores import DAY, NOW, new


def test_add_assigns_increasing_ids_and_get_returns_it(store: Store, table: str):
    first = store.add(table, new(101), created_at=NOW).reservation
    second = store.add(table, new(102), created_at=NOW).reservation
    assert second.reservation_id > first.reservation_id > 0
    assert store.get(table, first.reservation_id) == first
    assert first.check_out == DAY + timedelta(days=2)
    assert first.created_at == NOW


def test_ids_are_never_reused_after_delete(store: Store, table: str):
    a = store.add(table, new(101), created_at=NOW).reservation
    store.delete(table, a.reservation_id)
    b = store.add(table, new(101), created_at=NOW).reservation
    assert b.reservation_id > a.reservation_id


def test_overlapping_stay_in_same_room_is_refused_naming_the_holder(store: Store, table: str):
    holder = store.add(table, new(101, DAY, 3), created_at=NOW).reservation
    with pytest.raises(ConflictError) as caught:
        store.add(table, new(101, DAY + timedelta(days=2), 2, guest="Bob"), created_at=NOW)
    assert caught.value.holder == holder
    assert caught.value.night == DAY + timedelta(days=2)
    page = store.list(table, ListQuery())
    assert [r.reservation_id for r in page.items] == [holder.reservation_id]


def test_adjacent_stays_and_other_rooms_do_not_conflict(store: Store, table: str):
    store.add(table, new(101, DAY, 2), created_at=NOW)
    store.add(table, new(101, DAY + timedelta(days=2), 2), created_at=NOW)  # check-out day = next check-in
    store.add(table, new(102, DAY, 2), created_at=NOW)
    assert len(store.list(table, ListQuery()).items) == 3


def test_delete_frees_the_nights(store: Store, table: str):
    r = store.add(table, new(101), created_at=NOW).reservation
    assert store.delete(table, r.reservation_id) == r
    assert store.get(table, r.reservation_id) is None
    store.add(table, new(101), created_at=NOW)


def test_delete_of_absent_reservation_is_not_found(store: Store, table: str):
    with pytest.raises(NotFoundError):
        store.delete(table, 424242)


def test_unknown_table_is_not_found(store: Store, settings: Settings):
    with pytest.raises(NotFoundError):
        store.add(settings.table_for("ghost"), new(), created_at=NOW)


def test_list_orders_by_check_in_room_id_and_pages_with_cursor(store: Store, table: str):
    made = []
    for offset in (3, 0, 1):
        for room in (7, 3):
            made.append(
                store.add(table, new(room, DAY + timedelta(days=offset), 1), created_at=NOW).reservation
            )
    expected = sorted(made, key=lambda r: r.sort_key())
    seen = []
    query = ListQuery(limit=4)
    while True:
        page = store.list(table, query)
        assert len(page.items) <= 4
        seen += page.items
        if page.next_cursor is None:
            break
        query = ListQuery(limit=4, cursor=Cursor.decode(page.next_cursor))
    assert seen == expected


def test_walk_sees_every_reservation_that_existed_throughout_exactly_once(store: Store, table: str):
    stable = [store.add(table, new(room, DAY, 1), created_at=NOW).reservation for room in range(1, 11)]
    doomed = store.add(table, new(50, DAY, 1), created_at=NOW).reservation
    page = store.list(table, ListQuery(limit=3))
    seen = list(page.items)
    store.delete(table, doomed.reservation_id)
    store.add(table, new(2, DAY - timedelta(days=5), 1), created_at=NOW)  # before the cursor: not required
    while page.next_cursor:
        page = store.list(table, ListQuery(limit=3, cursor=Cursor.decode(page.next_cursor)))
        seen += page.items
    ids = [r.reservation_id for r in seen]
    assert len(ids) == len(set(ids))
    assert {r.reservation_id for r in stable} <= set(ids)


def test_list_filters_by_window_and_room(store: Store, table: str):
    early = store.add(table, new(1, DAY, 2), created_at=NOW).reservation  # nights Dec 1, 2
    late = store.add(table, new(1, DAY + timedelta(days=10), 3), created_at=NOW).reservation
    other = store.add(table, new(2, DAY + timedelta(days=1), 1), created_at=NOW).reservation
    window = ListQuery(start=DAY + timedelta(days=1), end=DAY + timedelta(days=2))
    assert [r.reservation_id for r in store.list(table, window).items] == [
        early.reservation_id,
        other.reservation_id,
    ]
    assert [r.reservation_id for r in store.list(table, ListQuery(room_number=1)).items] == [
        early.reservation_id,
        late.reservation_id,
    ]
    assert (
        store.list(table, ListQuery(start=DAY + timedelta(days=2), end=DAY + timedelta(days=10))).items == []
    )


def test_idempotent_retry_returns_the_original_and_creates_nothing(store: Store, table: str):
    claim = IdempotencyClaim("k" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    first = store.add(table, new(), created_at=NOW, idempotency=claim)
    again = store.add(table, new(), created_at=NOW + timedelta(minutes=1), idempotency=claim)
    assert not first.replayed
    assert again.replayed
    assert again.reservation == first.reservation
    assert len(store.list(table, ListQuery()).items) == 1


def test_same_idempotency_key_with_other_body_is_refused(store: Store, table: str):
    claim = IdempotencyClaim("k" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    store.add(table, new(), created_at=NOW, idempotency=claim)
    other = new(room=999)
    with pytest.raises(IdempotencyMismatchError):
        store.add(
            table,
            other,
            created_at=NOW,
            idempotency=IdempotencyClaim("k" * 64, other.fingerprint(), NOW + timedelta(hours=24)),
        )
    assert len(store.list(table, ListQuery()).items) == 1


def test_expired_idempotency_key_is_forgotten(store: Store, table: str):
    claim = IdempotencyClaim("e" * 64, new().fingerprint(), NOW + timedelta(hours=24))
    store.add(table, new(), created_at=NOW, idempotency=claim)
    later = NOW + timedelta(hours=25)
    other = new(room=5)
    result = store.add(
        table, other, created_at=later, idempotency=IdempotencyClaim("e" * 64, other.fingerprint(), later)
    )
    assert not result.replayed
    assert result.reservation.room_number == 5


def test_failed_add_with_idempotency_key_leaves_no_record(store: Store, table: str):
    store.add(table, new(101), created_at=NOW)
    claim = IdempotencyClaim("f" * 64, new(101).fingerprint(), NOW + timedelta(hours=24))
    with pytest.raises(ConflictError):
        store.add(table, new(101), created_at=NOW, idempotency=claim)
    other = new(102)
    fresh = IdempotencyClaim("f" * 64, other.fingerprint(), NOW + timedelta(hours=24))
    assert not store.add(table, other, created_at=NOW, idempotency=fresh).replayed


def test_concurrent_adds_of_one_room_night_have_exactly_one_winner(store: Store, table: str):
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            store.add(table, new(7, DAY, 1, guest=f"g{i}"), created_at=NOW)
            result = "won"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 15 + ["won"]
    assert len(store.list(table, ListQuery()).items) == 1


def test_tables_are_isolated(store: Store, settings: Settings):
    a, b = settings.table_for("alpha"), settings.table_for("bravo")
    store.create_table(a)
    store.create_table(b)
    store.add(a, new(101), created_at=NOW)
    store.add(b, new(101), created_at=NOW)  # same room, other customer: no conflict
    assert len(store.list(a, ListQuery()).items) == 1
    assert len(store.list(b, ListQuery()).items) == 1
    store.drop_table(b)
    with pytest.raises(NotFoundError):
        store.list(b, ListQuery())
    assert len(store.list(a, ListQuery()).items) == 1


# ----------------------------------------------------------------------------- registry


def test_registry_creates_customers_and_finds_key_owner(registry: Registry, settings: Settings):
    rec = CustomerRecord("star", settings.table_for("star"), "active", NOW)
    key = key_record("star", "rsv_secret-one")
    registry.create_customer(rec, key)
    assert registry.get_customer("star") == rec
    assert registry.key_and_customer(key.key_hash)[0] == "star"
    assert registry.key_and_customer("0" * 64)[0] is None
    assert [k.key_id for k in registry.list_keys("star")] == [key.key_id]
    assert [c.name for c in registry.list_customers()] == ["star"]
    with pytest.raises(ValidationError):
        registry.create_customer(rec, key_record("star", "rsv_other"))


def test_registry_reads_a_key_and_a_customer_together(registry: Registry, settings: Settings):
    star = CustomerRecord("star", settings.table_for("star"), "active", NOW)
    moon = CustomerRecord("moon", settings.table_for("moon"), "disabled", NOW)
    registry.create_customer(star, key_record("star", "rsv_star"))
    registry.create_customer(moon, key_record("moon", "rsv_moon"))
    star_key = key_record("star", "rsv_star").key_hash
    assert registry.key_and_customer(star_key, "star") == ("star", star)
    assert registry.key_and_customer(star_key, "moon") == ("star", moon)  # whose key, whose name
    assert registry.key_and_customer(star_key, "nobody") == ("star", None)
    assert registry.key_and_customer(star_key) == ("star", None)  # the key alone
    assert registry.key_and_customer("0" * 64, "star") == (None, star)
    assert registry.key_and_customer("0" * 64, "nobody") == (None, None)


def test_registry_replace_keys_revokes_old_ones(registry: Registry, settings: Settings):
    registry.create_customer(CustomerRecord("star", "t", "active", NOW), key_record("star", "rsv_old"))
    new_key = key_record("star", "rsv_new")
    registry.replace_keys("star", new_key)
    assert registry.key_and_customer(key_record("star", "rsv_old").key_hash)[0] is None
    assert registry.key_and_customer(new_key.key_hash)[0] == "star"
    assert authorize(registry, " STAR ", "rsv_new").name == "star"


def test_registry_delete_customer_removes_keys(registry: Registry):
    registry.create_customer(CustomerRecord("gone", "t", "active", NOW), key_record("gone", "rsv_gone"))
    registry.delete_customer("gone")
    assert registry.get_customer("gone") is None
    assert registry.key_and_customer(key_record("gone", "rsv_gone").key_hash)[0] is None
    with pytest.raises(NotFoundError):
        registry.delete_customer("gone")


def test_registry_keeps_each_customers_tier(registry: Registry):
    """Issue #23, goal 3: the registry says which tier a customer is on (none until one is set)."""
    registry.create_customer(
        CustomerRecord("star", "t", "active", NOW, "premium"), key_record("star", "rsv_s")
    )
    registry.create_customer(CustomerRecord("moon", "t", "active", NOW), key_record("moon", "rsv_m"))
    assert [(c.name, c.tier) for c in registry.list_customers()] == [("moon", None), ("star", "premium")]
    registry.set_tier("moon", "standard")
    registry.set_tier("star", "standard")
    star, moon = registry.get_customer("star"), registry.get_customer("moon")
    assert star is not None
    assert moon is not None
    assert (star.tier, moon.tier, star.status) == ("standard", "standard", "active")
    with pytest.raises(NotFoundError):
        registry.set_tier("nobody", "standard")
    registry.delete_customer("star")
    assert registry.get_customer("star") is None


def test_registry_set_status_is_what_authorize_sees(registry: Registry):
    """Onboarding's progress (issue #23): a customer being provisioned or deleted is not served."""
    registry.create_customer(CustomerRecord("star", "t", "provisioning", NOW), key_record("star", "rsv_star"))
    with pytest.raises(ForbiddenError):
        authorize(registry, "star", "rsv_star")
    registry.set_status("star", "active")
    assert authorize(registry, "star", "rsv_star").status == "active"
    registry.set_status("star", "deleting")
    with pytest.raises(ForbiddenError):
        authorize(registry, "star", "rsv_star")
    with pytest.raises(NotFoundError):
        registry.set_status("nobody", "active")
    assert registry.get_customer("nobody") is None
