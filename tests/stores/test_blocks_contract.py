"""The channels part of the store contract (blocks, room calendars), for every store."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from reservations.channels.calendar import CalendarUpdate, RoomCalendar
from reservations.domain.blocks import Block, ConflictingBlockError, NewBlock
from reservations.domain.change import ReservationChange
from reservations.domain.errors import ConflictError, RoomNotDefinedError
from reservations.domain.reservation import ListQuery
from reservations.domain.rooms import Availability, Room, RoomQuery
from reservations.stores.protocols import Store
from tests.support.stores import DAY, NOW, new

FEED = "https://www.airbnb.com/calendar/ical/1.ics?s=secret"


def block(room: int = 101, start_offset: int = 0, nights: int = 3, uid: str = "e1") -> NewBlock:
    start = DAY + timedelta(days=start_offset)
    return NewBlock(room, start, start + timedelta(days=nights), FEED, uid)


def test_a_block_holds_its_nights_against_bookings_and_changes(store: Store, table: str) -> None:
    store.put_room(table, Room(101))
    store.put_room(table, Room(102))
    made = store.add_block(table, block())
    assert made.block_id > 0
    assert store.blocks(table, 101) == [made]
    with pytest.raises(ConflictingBlockError) as refused:
        store.add(table, new(101, DAY + timedelta(days=2), nights=2), created_at=NOW)
    assert refused.value.details() == {
        "source": "www.airbnb.com",
        "check_in": made.check_in.isoformat(),
        "check_out": made.check_out.isoformat(),
    }
    elsewhere = store.add(table, new(102, DAY), created_at=NOW).reservation
    with pytest.raises(ConflictingBlockError):
        store.change(table, elsewhere.reservation_id, ReservationChange(room_number=101))
    assert store.get(table, elsewhere.reservation_id) == elsewhere  # the refused change changed nothing
    assert store.free_rooms(table, Availability(DAY, 1)) == []
    assert store.free_rooms(table, Availability(DAY + timedelta(days=3), 1)) == [101, 102]
    assert store.list(table, ListQuery()).items == [elsewhere]  # blocks are not reservations


def test_a_block_never_lands_on_a_sold_night_nor_on_another_block(store: Store, table: str) -> None:
    store.put_room(table, Room(101))
    sold = store.add(table, new(101, DAY + timedelta(days=1), nights=1), created_at=NOW).reservation
    with pytest.raises(ConflictError) as refused:
        store.add_block(table, block())
    assert not isinstance(refused.value, ConflictingBlockError)
    assert refused.value.holder == sold
    assert store.blocks(table) == []  # nothing half-written: the free nights stay free
    assert store.free_rooms(table, Availability(DAY, 1)) == [101]
    first = store.add_block(table, block(start_offset=2, nights=2))
    with pytest.raises(ConflictingBlockError):
        store.add_block(table, block(start_offset=3, nights=2, uid="e2"))
    assert store.blocks(table) == [first]


def test_deleting_a_block_frees_its_nights(store: Store, table: str) -> None:
    store.put_room(table, Room(101))
    made = store.add_block(table, block())
    store.delete_block(table, made)
    assert store.blocks(table) == []
    booked = store.add(table, new(101, DAY, nights=3), created_at=NOW).reservation
    assert store.taken_nights(table, 101, DAY, DAY + timedelta(days=5)) == {
        night: booked.reservation_id for night in booked.stay_nights()
    }


def test_blocks_obey_the_rooms_rule(store: Store, table: str) -> None:
    store.put_room(table, Room(101))
    with pytest.raises(RoomNotDefinedError):
        store.add_block(table, block(room=102))


def test_taken_nights_name_stays_and_blocks(store: Store, table: str) -> None:
    stay = store.add(table, new(101, DAY, nights=2), created_at=NOW).reservation
    made = store.add_block(table, block(start_offset=2, nights=1))
    assert store.taken_nights(table, 101, DAY, DAY + timedelta(days=10)) == {
        DAY: stay.reservation_id,
        DAY + timedelta(days=1): stay.reservation_id,
        DAY + timedelta(days=2): -made.block_id,
    }


def test_the_table_checker_counts_block_nights_as_no_damage(store: Store, table: str) -> None:
    store.add_block(table, block())
    assert store.check(table).clean


def test_a_room_calendar_keeps_each_part_apart(store: Store, table: str) -> None:
    assert store.calendars(table, [101]) == []
    first = store.set_calendar(table, 101, CalendarUpdate(token="t1", token_if_absent=True))
    assert first.token == "t1"
    assert first.imports == ()
    kept = store.set_calendar(table, 101, CalendarUpdate(token="t2", token_if_absent=True))
    assert kept.token == "t1"
    store.set_calendar(table, 101, CalendarUpdate(imports=(FEED,)))
    store.set_calendar(table, 101, CalendarUpdate(status={FEED: {"events": 1}}))
    rotated = store.set_calendar(table, 101, CalendarUpdate(token="t3"))
    assert (rotated.token, rotated.imports, dict(rotated.status)) == ("t3", (FEED,), {FEED: {"events": 1}})
    assert store.calendars(table) == [rotated]


def test_a_room_is_defined_with_its_calendar_in_one_write(store: Store, table: str) -> None:
    first = CalendarUpdate(token="t1", token_if_absent=True, imports=(FEED,))
    assert store.put_room(table, Room(101, "Sea view"), first) is True
    assert store.calendars(table, [101]) == [RoomCalendar(101, "t1", (FEED,), {})]
    # Renamed with new imports: the token it has is kept; imports left out are kept too.
    assert (
        store.put_room(
            table, Room(101, "Garden"), CalendarUpdate(token="t2", token_if_absent=True, imports=())
        )
        is False
    )
    assert store.calendars(table, [101]) == [RoomCalendar(101, "t1", (), {})]
    assert (
        store.put_room(table, Room(101, "Garden"), CalendarUpdate(token="t3", token_if_absent=True)) is False
    )
    assert store.calendars(table, [101]) == [RoomCalendar(101, "t1", (), {})]
    assert [room.name for room in store.list_rooms(table, RoomQuery()).items] == ["Garden"]


def test_removing_a_room_takes_its_calendar_and_frees_its_blocks_nights(store: Store, table: str) -> None:
    store.put_room(table, Room(101), CalendarUpdate(token="t1", imports=(FEED,)))
    store.put_room(table, Room(102), CalendarUpdate(token="t2", imports=(FEED,)))
    store.add_block(table, block(101))
    kept = store.add_block(table, block(102))
    store.delete_room(table, 101, DAY)
    assert store.blocks(table) == [kept]
    assert store.calendars(table) == [RoomCalendar(102, "t2", (FEED,), {})]
    assert store.taken_nights(table, 101, DAY, DAY + timedelta(days=10)) == {}
    store.put_room(table, Room(101))  # defined again: free, with no feed of the old room's
    assert store.free_rooms(table, Availability(DAY, 3)) == [101]
    assert store.calendars(table, [101]) == []


def test_racing_blocks_and_bookings_never_share_a_night(store: Store, table: str) -> None:
    store.put_room(table, Room(101))
    outcomes: list[object] = []

    def book() -> None:
        try:
            outcomes.append(store.add(table, new(101, DAY + timedelta(days=1), nights=2), created_at=NOW))
        except ConflictError as exc:
            outcomes.append(exc)

    def hold() -> None:
        try:
            outcomes.append(store.add_block(table, block()))
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=f) for f in (book, hold, book, hold)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if not isinstance(o, ConflictError)]
    assert len(winners) == 1, outcomes
    held = store.taken_nights(table, 101, DAY, DAY + timedelta(days=5))
    if isinstance(winners[0], Block):
        assert set(held.values()) == {-winners[0].block_id}
    else:
        assert set(held.values()) == {winners[0].reservation.reservation_id}  # type: ignore[attr-defined]
    assert store.check(table).clean
