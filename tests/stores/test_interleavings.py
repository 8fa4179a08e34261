"""Every ordered pair of mutating operations, the second run in the gap between the first's read
and its write (tests/stores/interleave.py), on every store; afterwards the table's invariants hold.

The invariants are the operator's checker's (``Store.check``: no room-night held by a reservation
that does not cover it, every stay holding each of its nights, the list equal to the by-id items,
the id counter ahead), seen again through the public reads: the list equals the gets, and
availability equals the stays.  The starting table makes every pair collide: two stays in room 1
(``A`` for two nights from D, ``B`` on D+3), rooms 1 and 2 defined; each change is of ``A``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from reservations.domain.change import ReservationChange
from reservations.domain.errors import ConflictError, NotFoundError
from reservations.domain.reservation import ListQuery, Reservation
from reservations.domain.rooms import Availability, Room, RoomQuery
from reservations.stores.protocols import Store
from tests.stores.interleave import interleave
from tests.support.stores import DAY, NOW, new

TODAY = DAY - timedelta(days=10)


@dataclass(frozen=True)
class Start:
    a: int  # room 1, D and D+1
    b: int  # room 1, D+3


def _start(store: Store, table: str) -> Start:
    for number in (1, 2):
        store.put_room(table, Room(number))
    a = store.add(table, new(room=1, check_in=DAY, nights=2, guest="Ada"), created_at=NOW).reservation
    b = store.add(table, new(room=1, check_in=DAY + timedelta(days=3), nights=1, guest="Bo"), created_at=NOW)
    return Start(a.reservation_id, b.reservation.reservation_id)


def _change(**fields: Any) -> Callable[[Store, str, Start], object]:
    return lambda store, table, start: store.change(table, start.a, ReservationChange(**fields, today=TODAY))


OPERATIONS: dict[str, Callable[[Store, str, Start], object]] = {
    # room 1 on D+2: free at the start; taken once A is moved to D+1 or lengthened
    "add": lambda store, table, _: store.add(
        table, new(room=1, check_in=DAY + timedelta(days=2), nights=1, guest="Cy"), created_at=NOW
    ),
    "change-room": _change(room_number=2),
    "change-dates": _change(check_in=DAY + timedelta(days=1)),
    "change-nights": _change(nights=3),
    "change-guest": _change(guest_name="Eve"),
    "delete": lambda store, table, start: store.delete(table, start.a),
    "put-room": lambda store, table, _: store.put_room(table, Room(2, name="Suite")),
    "delete-room": lambda store, table, _: store.delete_room(table, 2, TODAY),
}
PAIRS = [(first, second) for first in OPERATIONS for second in OPERATIONS]


@pytest.mark.slow
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}-then-{b}" for a, b in PAIRS])
def test_an_operation_run_between_anothers_read_and_write_leaves_the_table_consistent(
    store: Store, table: str, first: str, second: str, monkeypatch: pytest.MonkeyPatch
):
    start = _start(store, table)
    earlier, later, opened = interleave(
        store,
        table,
        lambda: OPERATIONS[first](store, table, start),
        lambda: OPERATIONS[second](store, table, start),
        monkeypatch,
    )
    earlier.result(), later.result()  # only the domain's answers: a 503 or a crash fails here
    assert opened, f"{first} wrote nothing, so nothing ran between its read and its write"
    assert_consistent(store, table)


def assert_consistent(store: Store, table: str) -> None:
    report = store.check(table)
    assert [p.message for p in report.problems] == []
    listed = store.list(table, ListQuery(limit=500)).items
    assert listed == [store.get(table, stay.reservation_id) for stay in listed]
    rooms = [room.room_number for room in store.list_rooms(table, RoomQuery(limit=1000)).items]
    for offset in range(-1, 6):
        night = DAY + timedelta(days=offset)
        taken = {stay.room_number for stay in listed if stay.holds(stay.room_number, night)}
        if rooms:
            free = store.free_rooms(table, Availability(check_in=night, nights=1))
            assert free == [room for room in rooms if room not in taken], night
    _no_room_night_twice(listed)


def _no_room_night_twice(stays: list[Reservation]) -> None:
    held = [(stay.room_number, night) for stay in stays for night in stay.stay_nights()]
    assert len(held) == len(set(held))


def test_a_delete_resumed_after_a_move_and_a_new_booking_of_the_old_nights_takes_nothing_of_the_booking(
    store: Store, table: str, monkeypatch: pytest.MonkeyPatch
):
    """The issue's double booking: the delete of A pauses after its read; A moves to room 2 and Q
    books A's old nights in room 1; the delete resumes.  Deleting by the keys it read took Q's
    nights, and a later booking X of room 1 got them too."""
    start = _start(store, table)

    def move_then_book() -> object:
        store.change(table, start.a, ReservationChange(room_number=2, today=TODAY))
        return store.add(table, new(room=1, check_in=DAY, nights=2, guest="Q"), created_at=NOW).reservation

    deleted, booked, opened = interleave(
        store, table, lambda: store.delete(table, start.a), move_then_book, monkeypatch
    )
    assert opened
    assert store.get(table, start.a) is None
    q = booked.result()
    if isinstance(q, NotFoundError):  # SQLite: the move waited for the delete's transaction
        assert not hasattr(store, "data")
    else:  # DynamoDB: the move and the booking ran in the gap; the delete read again
        assert isinstance(q, Reservation)
        gone = deleted.result()
        assert isinstance(gone, Reservation)
        assert gone.room_number == 2  # the moved stay, deleted whole
        with pytest.raises(ConflictError) as refused:
            store.add(table, new(room=1, check_in=DAY, nights=1, guest="X"), created_at=NOW)
        assert refused.value.holder == q
    assert_consistent(store, table)
