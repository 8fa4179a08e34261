"""The invariants of a customer's table, checked on a snapshot of it: pure Python, no I/O.

Both stores keep a stay in more than one place (DynamoDB: the by-id item, a list item and one item
per room-night; SQLite: a row and its nights), and every write keeps them in step inside one
transaction.  This module says, from a snapshot, where they are not in step, so that the operator's
``reservations tenants check``, the interleaving suite and the model check all judge a table by one
definition.  Each store reads its snapshot and applies the repairs (``dynamodb_check``,
``sqlite_check``); which problems are safe to repair is decided here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reservations.domain.reservation import Reservation

# What a problem is, and whether ``--repair`` may fix it (only when the fix cannot lose anything a
# guest was promised: the night's holder is gone, the list item is a stale copy, the night is free).
ORPHANED_NIGHT = "orphaned_night"  # held by a reservation that does not exist or does not cover it
MISSING_NIGHT = "missing_night"  # a stay's night that no item holds
NIGHT_COLLISION = "night_collision"  # a stay's night held by another stay that covers it too
LIST_WITHOUT_STAY = "list_without_stay"  # a list item whose stay does not exist or differs
STAY_NOT_LISTED = "stay_not_listed"  # a stay with no list item as it is
COUNTER_BEHIND = "counter_behind"  # the id counter is below the highest id in the table
REPAIRABLE = frozenset({ORPHANED_NIGHT, MISSING_NIGHT, LIST_WITHOUT_STAY, STAY_NOT_LISTED, COUNTER_BEHIND})

RoomNight = tuple[int, date]


@dataclass(frozen=True)
class Snapshot:
    """A table as read: by-id stays, list entries, room-night holders and the id counter."""

    stays: dict[int, Reservation]
    listed: list[Reservation]  # SQLite has no separate list: there it is the stays themselves
    nights: dict[RoomNight, int]  # room-night -> the id of the reservation that holds it
    counter: int  # the highest id handed out so far (the next add takes a larger one)


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    reservation_id: int | None = None  # the stay concerned (the night's holder, for an orphan)
    room_number: int | None = None
    night: date | None = None
    other_id: int | None = None  # a collision's second party
    stay: Reservation | None = field(default=None, compare=False)  # as read: what a repair keeps
    listed: Reservation | None = field(default=None, compare=False)  # the stale list entry

    @property
    def repairable(self) -> bool:
        return self.kind in REPAIRABLE

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "message": self.message, "repairable": self.repairable}
        for name in ("reservation_id", "room_number", "other_id"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.night is not None:
            body["night"] = self.night.isoformat()
        return body


@dataclass(frozen=True)
class Report:
    table: str
    problems: list[Problem]  # found by the check
    repaired: list[Problem] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)  # after the repair (all, without one)

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "clean": self.clean,
            "problems": [p.to_json() for p in self.problems],
            "repaired": [p.to_json() for p in self.repaired],
            "remaining": [p.to_json() for p in self.remaining],
        }


def find_problems(snapshot: Snapshot) -> list[Problem]:
    """Every broken invariant, in a stable order (so two snapshots' findings can be compared)."""
    problems = _night_problems(snapshot) + _stay_problems(snapshot) + _list_problems(snapshot)
    highest = max(snapshot.stays, default=0)
    if snapshot.counter < highest:
        problems.append(
            Problem(
                COUNTER_BEHIND,
                f"the id counter is at {snapshot.counter}, below reservation {highest}",
                reservation_id=highest,
            )
        )
    return problems


def _night_problems(snapshot: Snapshot) -> list[Problem]:
    """Nights held by a reservation that does not exist or does not cover them."""
    problems: list[Problem] = []
    stays = snapshot.stays
    for (room, night), holder_of_night in sorted(snapshot.nights.items()):
        if holder_of_night < 0:
            continue  # a channel's block (``reservations.domain.blocks``): not a reservation's night
        holder = stays.get(holder_of_night)
        if holder is None or not holder.holds(room, night):
            why = "does not exist" if holder is None else "does not cover it"
            problems.append(
                Problem(
                    ORPHANED_NIGHT,
                    f"room {room} on {night.isoformat()} is held by reservation {holder_of_night},"
                    f" which {why}",
                    reservation_id=holder_of_night,
                    room_number=room,
                    night=night,
                )
            )
    return problems


def _stay_problems(snapshot: Snapshot) -> list[Problem]:
    """Nights of a stay that it does not hold: held by another covering stay, or not held at all."""
    problems: list[Problem] = []
    stays = snapshot.stays
    for stay in sorted(stays.values(), key=lambda s: s.reservation_id):
        for night in stay.stay_nights():
            holder_id = snapshot.nights.get((stay.room_number, night))
            if holder_id == stay.reservation_id:
                continue
            other = stays.get(holder_id) if holder_id is not None else None
            if other is not None and other.holds(stay.room_number, night):
                problems.append(
                    Problem(
                        NIGHT_COLLISION,
                        f"reservations {stay.reservation_id} and {holder_id} both cover room"
                        f" {stay.room_number} on {night.isoformat()}; {holder_id} holds the night",
                        reservation_id=stay.reservation_id,
                        room_number=stay.room_number,
                        night=night,
                        other_id=holder_id,
                        stay=stay,
                    )
                )
            else:  # free, or held by an orphan (released first by a repair)
                problems.append(
                    Problem(
                        MISSING_NIGHT,
                        f"reservation {stay.reservation_id} covers room {stay.room_number} on"
                        f" {night.isoformat()} but does not hold the night",
                        reservation_id=stay.reservation_id,
                        room_number=stay.room_number,
                        night=night,
                        stay=stay,
                    )
                )
    return problems


def _list_problems(snapshot: Snapshot) -> list[Problem]:
    problems: list[Problem] = []
    listed_as_is: set[int] = set()
    for entry in sorted(snapshot.listed, key=_list_order):
        stay = snapshot.stays.get(entry.reservation_id)
        if stay is not None and _same_stay(stay, entry):
            listed_as_is.add(entry.reservation_id)
            continue
        why = "does not exist" if stay is None else f"is now {_describe(stay)}"
        problems.append(
            Problem(
                LIST_WITHOUT_STAY,
                f"the list shows reservation {entry.reservation_id} as {_describe(entry)}, but it {why}",
                reservation_id=entry.reservation_id,
                room_number=entry.room_number,
                night=entry.check_in,
                stay=stay,
                listed=entry,
            )
        )
    for rid, stay in sorted(snapshot.stays.items()):
        if rid not in listed_as_is:
            problems.append(
                Problem(
                    STAY_NOT_LISTED,
                    f"reservation {rid} ({_describe(stay)}) is missing from the list",
                    reservation_id=rid,
                    stay=stay,
                )
            )
    return problems


def _list_order(entry: Reservation) -> tuple[date, int, int]:
    return entry.check_in, entry.room_number, entry.reservation_id


def _same_stay(a: Reservation, b: Reservation) -> bool:
    return (a.guest_name, a.room_number, a.check_in, a.nights, a.created_at) == (
        b.guest_name,
        b.room_number,
        b.check_in,
        b.nights,
        b.created_at,
    )


def _describe(stay: Reservation) -> str:
    return f"room {stay.room_number} from {stay.check_in.isoformat()} for {stay.nights} night(s)"


def confirmed(first: Iterable[Problem], second: Iterable[Problem]) -> list[Problem]:
    """The problems of ``second`` that ``first`` saw too.

    A table read item by item while requests run can catch a transaction half-way in one read; the
    same half in two reads a moment apart is damage, not a write in flight.
    """
    seen = set(first)
    return [problem for problem in second if problem in seen]


def repair_order(problems: Iterable[Problem]) -> list[Problem]:
    """Repairable problems in the order that makes each repair possible: orphans released before
    the nights they block are claimed again."""
    rank = {ORPHANED_NIGHT: 0, MISSING_NIGHT: 1, LIST_WITHOUT_STAY: 2, STAY_NOT_LISTED: 3, COUNTER_BEHIND: 4}
    return sorted((p for p in problems if p.repairable), key=lambda p: rank[p.kind])
