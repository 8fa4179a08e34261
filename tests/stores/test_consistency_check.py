"""``Store.check`` on purposely damaged tables, every kind of damage on every store; and writes that
meet damage answer truthfully (logged, claimed over) instead of "busy" for ever."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest

from reservations.domain.change import ReservationChange
from reservations.domain.reservation import ListQuery, Reservation
from reservations.stores import consistency as c
from reservations.stores.damage import LOGGER_NAME, MESSAGE
from reservations.stores.protocols import Store
from tests.stores import damage_kit as kit
from tests.support.stores import DAY, NOW, new


@dataclass(frozen=True)
class Stays:
    a: Reservation  # room 1, DAY and DAY+1
    b: Reservation  # room 2, DAY


def _stays(store: Store, table: str) -> Stays:
    a = store.add(table, new(room=1, check_in=DAY, nights=2, guest="Ada"), created_at=NOW).reservation
    b = store.add(table, new(room=2, check_in=DAY, nights=1, guest="Bo"), created_at=NOW).reservation
    return Stays(a, b)


def _spent_id(store: Store, table: str) -> int:
    """An id the counter has handed out and no stay has (its stay was deleted)."""
    spent = store.add(table, new(room=9, check_in=DAY, nights=1), created_at=NOW).reservation
    return store.delete(table, spent.reservation_id).reservation_id


Damage = Callable[[Store, str, Stays], None]
GONE = 999  # an id no reservation has

# name -> (the damage, the kinds check finds, the kinds left after --repair)
DAMAGE: dict[str, tuple[Damage, set[str], set[str]]] = {
    "night held by a reservation that does not exist": (
        lambda store, table, s: kit.hold_night(store, table, 3, DAY, GONE),
        {c.ORPHANED_NIGHT},
        set(),
    ),
    "night held by a reservation that does not cover it": (
        lambda store, table, s: kit.hold_night(store, table, 3, DAY, s.a.reservation_id),
        {c.ORPHANED_NIGHT},
        set(),
    ),
    "a stay's night missing": (
        lambda store, table, s: kit.free_night(store, table, 1, DAY),
        {c.MISSING_NIGHT},
        set(),
    ),
    "a stay's night held by one that is gone": (
        lambda store, table, s: kit.hold_night(store, table, 1, DAY, GONE),
        {c.ORPHANED_NIGHT, c.MISSING_NIGHT},
        set(),
    ),
    "two stays on one room-night": (
        lambda store, table, s: kit.stay_without_nights(
            store, table, replace(s.b, reservation_id=_spent_id(store, table), guest_name="Cy")
        ),
        {c.NIGHT_COLLISION},
        {c.NIGHT_COLLISION},
    ),
    "counter behind the highest id": (
        lambda store, table, s: kit.counter_back(store, table),
        {c.COUNTER_BEHIND},
        set(),
    ),
}
LIST_DAMAGE: dict[str, tuple[Damage, set[str], set[str]]] = {
    "list item without a stay": (
        lambda store, table, s: kit.list_entry(store, table, replace(s.b, reservation_id=GONE)),
        {c.LIST_WITHOUT_STAY},
        set(),
    ),
    "list item of a stay as it was": (
        lambda store, table, s: kit.list_entry(store, table, replace(s.a, check_in=kit.later(DAY, 5))),
        {c.LIST_WITHOUT_STAY},
        set(),
    ),
    "stay missing from the list": (
        lambda store, table, s: kit.unlist(store, table, s.a),
        {c.STAY_NOT_LISTED},
        set(),
    ),
}


@pytest.mark.parametrize("name", [*DAMAGE, *LIST_DAMAGE])
def test_check_finds_each_kind_of_damage_and_repair_leaves_only_what_needs_a_person(
    store: Store, table: str, name: str
):
    if name in LIST_DAMAGE and not kit.is_dynamodb(store):
        pytest.skip("SQLite's list is its rows: there is no list item to damage")
    damage, found, left = {**DAMAGE, **LIST_DAMAGE}[name]
    stays = _stays(store, table)
    assert store.check(table).clean
    damage(store, table, stays)

    report = store.check(table)
    assert {p.kind for p in report.problems} == found
    assert store.check(table).problems == report.problems  # checking changes nothing

    repaired = store.check(table, repair=True)
    assert {p.kind for p in repaired.repaired} == found - left
    assert {p.kind for p in repaired.remaining} == left
    assert {p.kind for p in store.check(table).problems} == left
    # the stays themselves are as they were
    assert store.get(table, stays.a.reservation_id) == stays.a
    assert store.get(table, stays.b.reservation_id) == stays.b


def test_a_collision_is_reported_with_both_parties(store: Store, table: str):
    stays = _stays(store, table)
    intruder = replace(stays.b, reservation_id=_spent_id(store, table), guest_name="Cy")
    kit.stay_without_nights(store, table, intruder)
    (collision,) = [p for p in store.check(table).problems if p.kind == c.NIGHT_COLLISION]
    assert (collision.reservation_id, collision.other_id) == (intruder.reservation_id, stays.b.reservation_id)
    assert {"reservation_id", "other_id", "room_number", "night"} <= set(collision.to_json())


# ----------------------------------------------------------------------- writes meeting damage


@pytest.fixture
def damage_lines() -> Iterator[list[logging.LogRecord]]:
    """The damage logger's records, read off it directly: the function runtime, once imported,
    stops it propagating (its JSON handler writes the line), so caplog's root handler may not."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(logging.ERROR)
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(handler)


def test_a_booking_of_a_night_held_by_a_reservation_that_does_not_exist_succeeds_and_is_logged(
    store: Store, table: str, damage_lines: list[logging.LogRecord]
):
    stays = _stays(store, table)
    night = kit.later(DAY, 5)
    kit.hold_night(store, table, 1, night, GONE)
    added = store.add(table, new(room=1, check_in=night, nights=1), created_at=NOW).reservation
    assert [(r.getMessage(), getattr(r, "holder", None)) for r in damage_lines] == [(MESSAGE, GONE)]
    assert store.check(table).clean
    assert added.reservation_id > stays.b.reservation_id


def test_a_move_onto_a_night_left_behind_by_a_stay_succeeds(store: Store, table: str):
    stays = _stays(store, table)
    kit.hold_night(store, table, 1, kit.later(DAY, 5), stays.b.reservation_id)  # b is in room 2
    moved = store.change(
        table, stays.a.reservation_id, ReservationChange(check_in=kit.later(DAY, 4), today=DAY)
    )
    assert moved.stay_nights() == [kit.later(DAY, 4), kit.later(DAY, 5)]
    assert store.check(table).clean


def test_a_delete_of_a_stay_missing_a_night_succeeds_and_leaves_the_other_stays_nights(
    store: Store, table: str, damage_lines: list[logging.LogRecord]
):
    stays = _stays(store, table)
    intruder = replace(stays.a, reservation_id=_spent_id(store, table), guest_name="Cy", nights=1)
    kit.stay_without_nights(store, table, intruder)  # covers a's first night, which a holds
    assert store.delete(table, intruder.reservation_id) == intruder
    if kit.is_dynamodb(store):  # SQLite deletes the rows that name the stay: there is no write to refuse
        assert [getattr(r, "damage", None) for r in damage_lines] == ["missing_night"]
    assert store.check(table).clean  # a still holds its nights
    assert store.list(table, ListQuery()).items == [stays.a, stays.b]


def test_a_change_of_a_stay_missing_a_night_succeeds(store: Store, table: str):
    stays = _stays(store, table)
    kit.free_night(store, table, 1, kit.later(DAY, 1))
    moved = store.change(table, stays.a.reservation_id, ReservationChange(room_number=3, today=DAY))
    assert moved.room_number == 3
    assert store.check(table).clean
    assert store.delete(table, stays.a.reservation_id) == moved
    assert store.check(table).clean
