"""The hand-written part of docs/reliability.md: every transaction, what it read, which condition
makes a stale read fail it.  ``bench.soak`` renders it above the figures; tests/test_reliability_doc.py
holds it to the stores' write methods."""

from __future__ import annotations

TRANSACTIONS = """\
## Every write acts on what it read

A write that read something first is conditioned on it still being so, so that a write committing
in between fails it instead of being undone; a failed condition reads again (up to 4 attempts, then
503 with `Retry-After`). `tests/stores/test_interleavings.py` proves it for every ordered pair of
the mutating operations below (add, change x room/dates/nights/guest, delete, put-room,
delete-room) on both stores: the second runs between the first's read and its write, and the
table checker (`reservations tenants check`) must then find nothing, the list must equal the gets
and availability the stays. Before this, DynamoDB's delete read the stay and then deleted its
items by the keys it had read, conditioned only on the by-id item existing: a change committing in
between left its new nights held by nobody (every booking of them answered 503), and a move plus a
new booking in between had the delete remove the new booking's nights, a double booking.

**SQLite** runs every write in `BEGIN IMMEDIATE` behind a per-table writer lock, and reads inside
it: the read and the write are one serialisable transaction (the interleaving suite shows the
second operation waiting on the lock). Night rows are released by `reservation_id`; the nights'
primary key is the double-booking guard. The registry's writes read inside their transaction too.

**DynamoDB** (one `TransactWriteItems` per write unless noted; "as read" = `room_number`,
`check_in`, `nights` and `guest_name` equal to the read, `dynamodb_items.stay_as_read`):

| write | reads first | conditions (a stale read fails one of them) |
|---|---|---|
| add (`DynamoDBStore.add`) | the rooms (or a per-process guess of "has rooms"), an id from the counter (`ADD`, atomic) | each night `attribute_not_exists`; list and by-id `attribute_not_exists` (a taken id: take another); rooms guard: the room's `version` bumped with `attribute_exists`, or `ROOMS` shows none; idempotency record absent or expired |
| change (`FrontDesk.change`) | the stay by id; the rooms on a failed guard | by-id put: as read; nights gained `attribute_not_exists`; nights given up `reservation_id = :id`; rooms guard as in add; the list items follow the by-id condition (old key deleted, new one put) |
| delete (`dynamodb_stale.delete`) | the stay by id | by-id delete: as read; each night `reservation_id = :id`; the list key follows the by-id condition |
| put-room, new (`FrontDesk.put_room`) | the room (absent) | room `attribute_not_exists`; `ROOMS.room_count` below the limit; the room's calendar (first feed token `if_not_exists`, imports) in the same transaction, so a refused room leaves no calendar |
| put-room, existing (`FrontDesk._rename_room`) | the room (present) | `UpdateItem` of name/notes with `attribute_exists` (no stay depends on them); with a calendar (`PUT` always sends one), the two in one transaction: a room removed in between fails both, and it is read again |
| delete-room (`FrontDesk.delete_room`) | the room and its `version`; the first stay in it from today on | room delete `version = :read` (every booking into the room bumps it, so one landing in between fails the delete); `room_count > 0`; the room's calendar deleted with it (its feed URL answers 404, nothing imports); then its blocks are released, one transaction each (`release_room_blocks`, as below: a room's blocks do not fit in one), and a crash in between leaves blocks of a room without a calendar, which the next sync releases |
| create customer (`DynamoDBRegistry.create_customer`) | nothing | customer and key owner `attribute_not_exists` |
| rotate key (`replace_keys`) | the customer's `keys_version` and its keys | customer `keys_version = :read`: a key added or removed in between fails it |
| delete customer (`delete_customer`) | the customer, its keys and its custom domains | the customer's delete (last, after its keys and custom domains, whose removal bumps the hosts' change counter) `keys_version = :read`: a rotation in between, which would leave its key behind (and working for a new customer of that name), fails it (`tests/stores/test_registry_interleaving.py`) |
| add a custom domain (`DynamoDBHosts.add_host`) | nothing (a refused add reads the host's holder) | the customer `attribute_exists`, its `keys_version` bumped (a `delete_customer` that read its items before fails and reads again, so no host outlives its customer); the host `attribute_not_exists`: one customer per host; the hosts' change counter `ADD 1` in the same transaction, so the edge's sync never misses it |
| remove a custom domain (`remove_host`) | the host's customer | the host's delete `customer = :read`: a host removed and given to another customer in between fails it, and it is read again |
| a customer's tier (`set_tier`) | nothing | `attribute_exists`; set after the usage key moved to the tier's plan, so a `set-tier` cut short between the two is finished by running it again |
| onboarding status (`set_status`: provisioning, active, suspended) | nothing | `attribute_exists`: each step of `tenants create`/`delete` sets its own status and is re-run whole after a crash; a create and a delete of one customer racing are not guarded (one operator's operations, run one at a time) |
| restore switch (`switch_table`) | the customer's table | `UpdateItem` with `#table = :old`: two restores racing for one customer, the second is refused |
| restore finish (`TableRestore.finish`) | the source table's settings | none needed: table settings, idempotent, on a table no request uses yet |
| block (`dynamodb_channels.add_block`, a channel's event claiming its nights) | the rooms (as add), a block id from the counter (`_next_block_id`: `ADD next_block_id`, atomic) | each night `attribute_not_exists` (a night held by a stay or another block: 409, nothing written); the block item `attribute_not_exists`; rooms guard as in add |
| release a block (`dynamodb_channels.delete_block`) | the block's nights | each night `reservation_id = :-block_id` (a night no longer its own is left alone); the block item deleted with them |
| room calendar (`set_calendar`: feed token, imports, last sync) | nothing | one `UpdateItem` of the parts given, so a sync's status and a clerk's imports never undo each other; a room's first token `if_not_exists` (a repeated `PUT` keeps it); no stay depends on it |
| check --repair (`dynamodb_check`) | two full consistent scans; a problem is repaired only if both saw it | release a night: `reservation_id = :holder`; claim a missing night: `attribute_not_exists` plus the stay as read; drop a stale list item: its fields as read plus the stay absent or as read; list a stay: `attribute_not_exists` plus the stay as read; counter: `next_id < :highest` |
| place a customer in a cell (`DynamoDBDirectory.place`, the cells' directory) | nothing (a refused place reads the placement) | placement `attribute_not_exists`; the directory's `version` `ADD 1` in the same transaction, as in every directory write below, so the edge's poll never misses a change |
| mark a move (`begin_move`) | the placement | `cell = :read` and no other move under way (`moving_to` absent or the same cell): two moves racing, the second is refused |
| switch a move (`finish_move`) | the placement | `cell = :read AND moving_to = :read`: the switch happens once, to the cell marked |
| unplace (`remove`) and the directory's custom domains (`DynamoDBDirectory.add_host`, `remove_host`) | the customer's hosts; for a host's removal its holder | placement `attribute_exists`, its hosts deleted with it; a host as in the registry: `attribute_not_exists`, the customer placed (`ConditionCheck`), removal `customer = :read` |
| copy a table to another cell (`TableCopier.copy`, `TransactWriteItems` of 100) | the source table and the target's (consistent scans) | none: it runs while the edge refuses the customer's writes (`tenants move`), and the source is read again after each copy, which is repeated until the two match |

**Moving a customer between cells** (`tenants move`, docs/cells.md) refuses the customer's writes
with 503 and `Retry-After: 1` from the directory's mark to its switch (the edge's poll, 0.2 s, twice,
plus its 5 s limit on a forwarded write, then the copy), while reads go on in the old cell. Under a
running load (`tests/cells/test_serve_cells.py`, `serve --cells 2`: 4 writers each adding a stay and
then changing it, retrying a refused write after the pause, and a reader; 2026-12-07 runs): through
the real nginx edge, 148 acknowledged writes, 196 refusals (retried), 0 lost, 0 duplicated, writes
refused for 10.4 s (the mark-to-switch time of `tenants move`, on a machine shared with three other
test runs); through the Python cell router before it, 112, 142, 0, 0 and 7.5 s. Every read was
answered 200 throughout. The old cell's copy is dropped
only if it still reads as copied after another settle; a write reaching it late (an edge that could
not read the directory for longer) keeps it, and the move says so.

**Damage is not contention.** A night that names a reservation which does not exist or does not
cover it cannot come from a race (every write above moves a stay and its nights together), so
retrying would answer 503 for ever. Add and change claim such a night over, conditioned on it
still naming that holder and on the holder's by-id item still being as read (a holder coming back
for it wins); delete and change release only nights that name their stay. Each case logs one JSON
line, `"message": "store damage"` (`stores/damage.py`), which the monitoring counts and alarms on;
`reservations tenants check` finds the rest (docs/operating.md).
"""
