"""The front-desk part of the store contract (rooms, availability, change in place), for every store."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest

from reservations.channels.calendar import CalendarUpdate
from reservations.domain.change import ReservationChange
from reservations.domain.errors import (
    ConflictError,
    NoRoomsError,
    NotFoundError,
    RoomInUseError,
    RoomNotDefinedError,
    ValidationError,
)
from reservations.domain.reservation import ListQuery, NewReservation, Reservation
from reservations.domain.rooms import MAX_ROOMS, Availability, Room, RoomQuery
from reservations.settings import Settings
from reservations.stores import open_store
from reservations.stores.protocols import Store
from tests.support.stores import DAY, NOW, new


def define(store: Store, table: str, *numbers: int) -> None:
    for number in numbers:
        store.put_room(table, Room(number))


def book(store: Store, table: str, request: NewReservation) -> Reservation:
    """Adds a stay and reads it back: the store kept it, which is more than that nothing raised."""
    made = store.add(table, request, created_at=NOW).reservation
    assert (made.guest_name, made.room_number, made.check_in, made.nights) == (
        request.guest_name,
        request.room_number,
        request.check_in,
        request.nights,
    )
    assert store.get(table, made.reservation_id) == made
    return made


def all_rooms(store: Store, table: str, limit: int = 2) -> list[Room]:
    rooms: list[Room] = []
    query = RoomQuery(limit=limit)
    while True:
        page = store.list_rooms(table, query)
        assert len(page.items) <= limit
        rooms += page.items
        if page.next_cursor is None:
            return rooms
        query = RoomQuery.from_params({"limit": str(limit), "cursor": page.next_cursor})


# ----------------------------------------------------------------------------- rooms


def test_rooms_are_created_then_updated_and_listed_in_number_order(store: Store, table: str):
    assert store.put_room(table, Room(204, "Sea view", "balcony")) is True
    assert store.put_room(table, Room(9)) is True
    assert store.put_room(table, Room(101, "Garden")) is True
    assert store.put_room(table, Room(204, "Sea view, renovated")) is False  # notes left out: cleared
    assert all_rooms(store, table) == [Room(9), Room(101, "Garden"), Room(204, "Sea view, renovated")]
    assert store.list_rooms(table, RoomQuery()).next_cursor is None


def test_removing_a_room_and_removing_an_unknown_one(store: Store, table: str):
    define(store, table, 1, 2)
    assert store.delete_room(table, 1, DAY) == Room(1)
    assert all_rooms(store, table) == [Room(2)]
    with pytest.raises(NotFoundError):
        store.delete_room(table, 1, DAY)


def test_a_room_held_from_today_on_cannot_be_removed_and_names_the_holder(store: Store, table: str):
    define(store, table, 7, 8)
    past = store.add(table, new(8, DAY, 2), created_at=NOW).reservation
    holder = store.add(table, new(7, DAY + timedelta(days=3), 2), created_at=NOW).reservation
    with pytest.raises(RoomInUseError) as caught:
        store.delete_room(table, 7, DAY + timedelta(days=4))  # its last night is "today"
    assert caught.value.holder == holder
    assert [r.room_number for r in all_rooms(store, table)] == [7, 8]
    assert store.delete_room(table, 7, DAY + timedelta(days=5)) == Room(7)  # it has checked out
    assert store.delete_room(table, 8, DAY + timedelta(days=2)) == Room(8)
    assert store.get(table, past.reservation_id) == past  # history keeps its room number


def test_rooms_of_one_customer_are_not_anothers(store: Store, settings: Settings):
    a, b = settings.table_for("alpha"), settings.table_for("bravo")
    store.create_table(a)
    store.create_table(b)
    define(store, a, 1, 2)
    assert all_rooms(store, b) == []
    book(store, b, new(55))  # bravo has no rooms: any number
    with pytest.raises(NotFoundError):
        store.delete_room(b, 1, DAY)


@pytest.mark.slow
def test_at_most_max_rooms(store: Store, table: str, settings: Settings):
    if settings.store == "dynamodb":
        # A thousand transactions through moto take minutes: start from the count (the documented
        # item layout) that 999 rooms leave, and define the last two through the store.
        import boto3

        from reservations.stores import dynamodb_items as items

        client = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name="us-east-1")
        client.put_item(TableName=table, Item={**items.ROOMS_KEY, "room_count": items.n(MAX_ROOMS - 1)})
        client.close()
        define(store, table, 1)
    else:
        define(store, table, *range(1, MAX_ROOMS + 1))
    with pytest.raises(ValidationError):
        store.put_room(table, Room(MAX_ROOMS + 1))
    # A room refused is refused with its calendar: one write, nothing of it left.
    with pytest.raises(ValidationError):
        store.put_room(
            table, Room(MAX_ROOMS + 1), CalendarUpdate(token="t", imports=("https://a.example/x.ics",))
        )
    assert store.calendars(table, [MAX_ROOMS + 1]) == []
    assert store.put_room(table, Room(1, "still updatable")) is False


# ----------------------------------------------------------------------------- the rooms rule


def test_without_rooms_any_number_is_bookable_with_rooms_only_those(store: Store, table: str):
    book(store, table, new(999))
    define(store, table, 101, 102)
    book(store, table, new(101))
    with pytest.raises(RoomNotDefinedError) as caught:
        store.add(table, new(999, DAY + timedelta(days=5)), created_at=NOW)
    assert caught.value.field == "room_number"
    assert len(store.list(table, ListQuery()).items) == 2


def test_after_the_last_room_is_removed_any_number_is_bookable_again(store: Store, table: str):
    define(store, table, 1)
    with pytest.raises(RoomNotDefinedError):
        store.add(table, new(4242), created_at=NOW)
    store.delete_room(table, 1, DAY)
    assert all_rooms(store, table) == []
    book(store, table, new(4242))


# ----------------------------------------------------------------------------- availability


def test_availability_lists_rooms_free_on_every_night(store: Store, table: str):
    with pytest.raises(NoRoomsError):
        store.free_rooms(table, Availability(DAY, 2))
    define(store, table, 103, 101, 102, 104)
    store.add(table, new(101, DAY, 1), created_at=NOW)  # night 1 taken
    store.add(table, new(102, DAY + timedelta(days=1), 3), created_at=NOW)  # night 2 taken
    store.add(table, new(103, DAY + timedelta(days=2), 1), created_at=NOW)  # the check-out day: free
    store.add(table, new(104, DAY - timedelta(days=1), 1), created_at=NOW)  # checks out on DAY: free
    assert store.free_rooms(table, Availability(DAY, 2)) == [103, 104]
    assert store.free_rooms(table, Availability(DAY + timedelta(days=10), 1)) == [101, 102, 103, 104]


# ----------------------------------------------------------------------------- change


def test_change_keeps_the_id_and_changes_only_what_is_named(store: Store, table: str):
    original = store.add(table, new(101, DAY, 2), created_at=NOW).reservation
    renamed = store.change(table, original.reservation_id, ReservationChange(guest_name="Ada King"))
    assert renamed == original.__class__(
        original.reservation_id, "Ada King", 101, 2, DAY, original.created_at
    )
    assert store.get(table, original.reservation_id) == renamed


def test_adding_a_night_in_place_never_conflicts_with_itself(store: Store, table: str):
    r = store.add(table, new(101, DAY, 2), created_at=NOW).reservation
    longer = store.change(table, r.reservation_id, ReservationChange(nights=3))
    assert longer.check_out == DAY + timedelta(days=3)
    later = store.change(table, r.reservation_id, ReservationChange(check_in=DAY + timedelta(days=1)))
    assert (later.check_in, later.nights) == (DAY + timedelta(days=1), 3)
    book(store, table, new(101, DAY, 1, guest="Bob"))  # the released first night
    with pytest.raises(ConflictError):
        store.add(table, new(101, DAY + timedelta(days=3), 1), created_at=NOW)  # the claimed last night


def test_a_move_releases_the_old_nights_and_claims_the_new(store: Store, table: str):
    r = store.add(table, new(101, DAY, 2), created_at=NOW).reservation
    moved = store.change(table, r.reservation_id, ReservationChange(room_number=204))
    assert moved.room_number == 204
    store.add(table, new(101, DAY, 2, guest="Bob"), created_at=NOW)
    with pytest.raises(ConflictError):
        store.add(table, new(204, DAY + timedelta(days=1), 1), created_at=NOW)
    assert [x.room_number for x in store.list(table, ListQuery(room_number=204)).items] == [204]
    assert store.list(table, ListQuery(room_number=101)).items[0].guest_name == "Bob"


def test_a_change_onto_a_taken_night_is_refused_and_changes_nothing(store: Store, table: str):
    holder = store.add(table, new(204, DAY + timedelta(days=1), 1, guest="Bob"), created_at=NOW).reservation
    r = store.add(table, new(101, DAY, 2), created_at=NOW).reservation
    with pytest.raises(ConflictError) as caught:
        store.change(table, r.reservation_id, ReservationChange(room_number=204, guest_name="Ada King"))
    assert caught.value.holder == holder
    assert caught.value.night == DAY + timedelta(days=1)
    assert store.get(table, r.reservation_id) == r
    with pytest.raises(ConflictError):  # its own nights are still held
        store.add(table, new(101, DAY, 1), created_at=NOW)
    book(store, table, new(204, DAY, 1))  # nothing was claimed in 204


def test_change_of_an_unknown_reservation_is_not_found(store: Store, table: str):
    with pytest.raises(NotFoundError):
        store.change(table, 424242, ReservationChange(nights=1))


def test_a_move_obeys_the_rooms_rule(store: Store, table: str):
    define(store, table, 101, 102)
    r = store.add(table, new(101), created_at=NOW).reservation
    with pytest.raises(RoomNotDefinedError) as caught:
        store.change(table, r.reservation_id, ReservationChange(room_number=999))
    assert caught.value.field == "room_number"
    assert store.change(table, r.reservation_id, ReservationChange(room_number=102)).room_number == 102


def test_a_room_cannot_be_removed_while_a_change_moves_into_it(store: Store, table: str):
    """Each pair of a move into room 9 and the removal of room 9: never a stay in a removed room."""
    define(store, table, 8, 9)
    for round_ in range(4):
        r = store.add(table, new(8, DAY + timedelta(days=3 * round_), 1), created_at=NOW).reservation

        def move(rid: int = r.reservation_id) -> None:
            with contextlib.suppress(RoomNotDefinedError):  # room 9 was removed first
                store.change(table, rid, ReservationChange(room_number=9))

        def remove() -> None:
            with contextlib.suppress(RoomInUseError):  # the stay moved in first
                store.delete_room(table, 9, DAY)

        threads = [threading.Thread(target=move), threading.Thread(target=remove)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        moved = store.get(table, r.reservation_id)
        assert moved is not None
        defined = [room.room_number for room in all_rooms(store, table, limit=10)]
        assert moved.room_number != 9 or 9 in defined
        if 9 not in defined:
            store.put_room(table, Room(9))
        store.delete(table, r.reservation_id)


def test_concurrent_moves_into_one_room_night_have_exactly_one_winner(store: Store, table: str):
    stays = [store.add(table, new(10 + i, DAY, 1), created_at=NOW).reservation for i in range(12)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(rid: int) -> None:
        try:
            store.change(table, rid, ReservationChange(room_number=7))
            result = "won"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(s.reservation_id,)) for s in stays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 11 + ["won"]
    assert len(store.list(table, ListQuery(room_number=7)).items) == 1
    assert len(store.list(table, ListQuery()).items) == 12


def test_the_rooms_rule_holds_when_another_process_changes_the_rooms(
    store: Store, table: str, settings: Settings
):
    """Two stores on one table (two Lambda processes): neither may act on a stale view of the rooms."""
    other = open_store(settings)
    try:
        book(store, table, new(999, DAY, 1))  # this process sees no rooms
        define(other, table, 101)
        with pytest.raises(RoomNotDefinedError):
            store.add(table, new(998, DAY, 1), created_at=NOW)
        kept = store.add(table, new(101, DAY, 1), created_at=NOW).reservation  # now it sees rooms
        r = store.add(table, new(101, DAY + timedelta(days=3), 1), created_at=NOW).reservation
        other.delete(table, r.reservation_id)
        other.delete_room(table, 101, DAY + timedelta(days=5))
        book(store, table, new(997, DAY, 1))  # no rooms any more: any number again
        define(other, table, 5)
        with pytest.raises(RoomNotDefinedError):
            store.change(table, kept.reservation_id, ReservationChange(room_number=996))
    finally:
        other.close()


def test_a_stay_under_way_can_be_lengthened_but_not_moved_into_the_past(store: Store, table: str):
    """The check-in rule concerns a check-in that changes: sent back unchanged, a past one is kept."""
    r = store.add(table, new(101, DAY, 2), created_at=NOW).reservation
    later = DAY + timedelta(days=3)  # the guest arrived three days ago
    whole = ReservationChange.from_json({"check_in": DAY.isoformat(), "nights": 4}, today=later)
    assert store.change(table, r.reservation_id, whole).nights == 4
    earlier = ReservationChange.from_json({"check_in": (DAY + timedelta(days=1)).isoformat()}, today=later)
    with pytest.raises(ValidationError) as caught:
        store.change(table, r.reservation_id, earlier)
    assert caught.value.field == "check_in"
    kept = store.get(table, r.reservation_id)
    assert kept is not None
    assert (kept.check_in, kept.nights) == (DAY, 4)
