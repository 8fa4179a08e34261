"""What a DynamoDB write does when a room-night it needs is not as it should be.

Every write conditions on what it read, so a failed condition usually means another write got in
first (read again and retry) or a real conflict (another stay holds the night: 409).  A third case
is damage: the night names a reservation that does not exist or does not cover it.  Retrying that
would answer "busy" forever, so instead it is logged (``damage.report``) and claimed over: the
claim replaces the night only while it still names the same holder *and* that holder's by-id item
is still as read, so a holder that comes back for the night in between wins, and the claim fails
and is read again.  The same reading tells ``delete`` and ``change`` which of a stay's own nights
it no longer holds, so they release only what is theirs; ``delete`` itself is here, as the write a
stale read once broke (docs/reliability.md lists every transaction and its conditions).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from reservations.domain.errors import NotFoundError
from reservations.stores import damage, dynamodb_channels
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import (
    backoff,
    batch_get,
    busy,
    cancellation_reasons,
    translated_errors,
)

if TYPE_CHECKING:
    from reservations.domain.reservation import Reservation
    from reservations.stores.dynamodb import DynamoDBStore

Write = dict[str, Any]
RoomNight = tuple[int, date]
TRANSACTION_ATTEMPTS = 4


@dataclass
class StaleNights:
    """Nights found held by a holder that is gone or does not cover them: id and state as read."""

    holders: dict[RoomNight, tuple[int, Reservation | None]] = field(default_factory=dict)

    def claim(self, table: str, stay: Reservation, night: date) -> Write:
        """The write claiming ``night`` for ``stay``: a free night, or this stale one."""
        stale = self.holders.get((stay.room_number, night))
        if stale is None:
            return items.put(table, items.night_item(stay, night), "attribute_not_exists(pk)")
        return items.put(
            table,
            items.night_item(stay, night),
            "attribute_not_exists(pk) OR reservation_id = :stale",
            {":stale": items.n(stale[0])},
        )

    def checks(self, table: str, writer_id: int) -> list[Write]:
        """One condition per stale holder (not the writer itself, whose by-id item the write
        already conditions): it is still gone, or still the stay that did not cover the night."""
        writes: list[Write] = []
        seen: set[int] = set()
        for holder_id, holder in self.holders.values():
            if holder_id == writer_id or holder_id in seen:
                continue
            seen.add(holder_id)
            key = items.id_key(holder_id)
            if holder is None:
                writes.append(items.condition_check(table, key, "attribute_not_exists(pk)"))
            else:
                writes.append(items.condition_check(table, key, *items.stay_as_read(holder)))
        return writes


def judge(
    store: DynamoDBStore, table: str, room: int, night: date, held: items.Item | None, stale: StaleNights
) -> Reservation | None:
    """After a claim of ``room``/``night`` failed: the reservation that truly holds it (a conflict),
    or None (retry; when the holder is gone or does not cover the night, ``stale`` now says so)."""
    if held is None:
        return None  # released meanwhile: the night may be free
    holder_id = int(held["reservation_id"]["N"])
    if holder_id < 0:  # a channel's block: a conflict like a stay's, never damage
        raise dynamodb_channels.holder_conflict(store, table, room, night, holder_id)
    holder = store.get(table, holder_id)
    if holder is not None and holder.holds(room, night):
        return holder
    # Read the night again after its holder: a holder that moved away released it in the same
    # transaction, so a night still naming it now is left behind, not in flight.
    again = store._read(table, items.night_key(room, night))
    if again is not None and int(again["reservation_id"]["N"]) == holder_id:
        why = "does not exist" if holder is None else "does not cover it"
        damage.report(
            table,
            "orphaned_night",
            f"night held by reservation {holder_id}, which {why}",
            room_number=room,
            night=night,
            holder=holder_id,
        )
        stale.holders[(room, night)] = (holder_id, holder)
    return None


def nights_not_held(store: DynamoDBStore, table: str, stay: Reservation, nights: list[date]) -> set[date]:
    """Which of ``stay``'s ``nights`` do not name it (read now); each is logged as damage.

    Called after a write that released them failed while the stay's by-id item was as read: every
    write keeps a stay and its nights in step, so a night of an unchanged stay that is not its own
    is damage, and releasing it would take it from whoever holds it.
    """
    keys = [items.night_key(stay.room_number, night) for night in nights]
    found = batch_get(store.data(table), table, keys, projection="pk, sk, reservation_id")
    holders = {items.night_of(item)[1]: int(item["reservation_id"]["N"]) for item in found}
    missing = {night for night in nights if holders.get(night) != stay.reservation_id}
    for night in sorted(missing):
        damage.report(
            table,
            "missing_night",
            f"reservation {stay.reservation_id} does not hold its night"
            + (f" (reservation {holders[night]} does)" if night in holders else ""),
            room_number=stay.room_number,
            night=night,
            holder=holders.get(night),
        )
    return missing


def delete(store: DynamoDBStore, table: str, reservation_id: int) -> Reservation:
    """Deletes the stay as read: the by-id item only while it is still that stay, each night
    only while it names this reservation.  A change that commits between the read and the
    write fails the transaction, which reads again (deleting by stale keys left the change's
    new nights held by nobody, for ever)."""
    not_held: set[date] = set()  # the stay's nights found not its own (damage): left alone
    for attempt in range(TRANSACTION_ATTEMPTS):
        if attempt:
            backoff(attempt)
        reservation = store.get(table, reservation_id)
        if reservation is None:
            raise NotFoundError("no such reservation", field="reservation_id")
        nights = [night for night in reservation.stay_nights() if night not in not_held]
        writes = [
            items.delete(table, items.id_key(reservation_id), *items.stay_as_read(reservation)),
            # The list item is the by-id item's copy: while that is as read, so is this key.
            items.delete(table, items.list_key(reservation)),
            *(
                items.delete(
                    table,
                    items.night_key(reservation.room_number, night),
                    "reservation_id = :id",
                    {":id": items.n(reservation_id)},
                )
                for night in nights
            ),
        ]
        try:
            with translated_errors():
                store.data(table).transact_write_items(
                    TransactItems=writes, ClientRequestToken=uuid.uuid4().hex
                )
            return reservation
        except ClientError as exc:
            codes = [reason.get("Code") for reason in cancellation_reasons(exc)]
            if codes and codes[0] == "ConditionalCheckFailed":
                continue  # changed or deleted since the read: read it again
            if "ConditionalCheckFailed" in codes:
                # The stay is as read, yet a night of it is not its own: damage, not a race.
                not_held |= nights_not_held(store, table, reservation, nights)
            elif "TransactionConflict" not in codes:
                raise busy() from exc
    raise busy()
