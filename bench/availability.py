"""Availability (``GET /availability``) latency with 1,000 vs 100,000 reservations, both stores.

The answer should cost reads proportional to rooms x nights, not to the table: so with the rooms
and the nights asked about fixed (100 rooms; 1, 3 and 30 nights), the time should not grow with
the reservations stored.  Tables are seeded in bulk as in ``bench.list_page`` (with the night
items availability reads); the question is timed through the store.  DynamoDB runs on moto, at
1k and 3k: moto is slow to seed, and its Query (the one that lists the rooms) walks every item of
the table whatever the key condition, so there the growth is the emulator's, not DynamoDB's.  The
calls themselves are counted in tests/stores/test_availability_cost.py: one Query and one
BatchGetItem per 100 room-nights, whatever the table holds.

    python -m bench.availability [--sizes 1000,100000] [--samples 20]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import median, percentile, table, write
from bench.list_page import START, seed_sqlite, synthetic
from bench.servers import moto
from reservations.domain.reservation import Reservation
from reservations.domain.rooms import Availability, Room
from reservations.settings import Settings
from reservations.stores import open_store
from reservations.stores.protocols import Store

ROOMS = 100
NIGHTS = (1, 3, 30)


def seed_dynamodb(settings: Settings, table: str, rows: list[Reservation]) -> None:
    """The list, by-id and night items of each reservation, 25 puts a batch."""
    from reservations.stores import dynamodb_items as items
    from reservations.stores.dynamodb_client import make_client

    client = make_client(settings)
    batch: list[dict[str, Any]] = []

    def put(item: dict[str, Any]) -> None:
        nonlocal batch
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={table: batch})
            batch = []

    for r in rows:
        attributes = items.reservation_attributes(r)
        put({**items.list_key(r), **attributes})
        put({**items.id_key(r.reservation_id), **attributes})
        for night in r.stay_nights():
            put(items.night_item(r, night))
    if batch:
        client.batch_write_item(RequestItems={table: batch})
    client.close()


def time_questions(store: Store, table: str, samples: int) -> dict[str, list[float]]:
    # Half-way through the seeded weeks, where the rooms are busiest.
    check_in = START + timedelta(days=20)
    timings: dict[str, list[float]] = {}
    for nights in NIGHTS:
        asked = Availability(check_in, nights)
        name = f"{ROOMS} rooms x {nights} night{'s' if nights > 1 else ''}"
        store.free_rooms(table, asked)
        timings[name] = []
        for _ in range(samples):
            started = time.perf_counter()
            free = store.free_rooms(table, asked)
            timings[name].append(time.perf_counter() - started)
        timings[f"{name} free"] = [float(len(free))]
    return timings


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--dynamodb-sizes", default="1000,3000")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--stores", default="sqlite,dynamodb")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto logs every call otherwise
    results: dict[str, Any] = {}
    rows = []
    for kind in args.stores.split(","):
        with moto(kind) as endpoint:
            sizes = args.dynamodb_sizes if kind == "dynamodb" else args.sizes
            for size in (int(x) for x in sizes.split(",")):
                tmp = Path(tempfile.mkdtemp(prefix=f"bench-availability-{kind}-"))
                settings = Settings(
                    store=kind, data_dir=tmp, dynamodb_endpoint=endpoint, table_prefix=f"a{size}_"
                )
                store = open_store(settings)
                table_name = settings.table_for("bench")
                store.create_table(table_name)
                seeded = time.perf_counter()
                (seed_sqlite if kind == "sqlite" else seed_dynamodb)(settings, table_name, synthetic(size))
                for number in range(1, ROOMS + 1):  # the rooms of the synthetic stays' first hundred
                    store.put_room(table_name, Room(number))
                seed_s = time.perf_counter() - seeded
                timings = time_questions(store, table_name, args.samples)
                store.close()
                results[f"{kind} {size}"] = {"seed_s": seed_s, "seconds": timings}
                for name, values in timings.items():
                    if name.endswith(" free"):
                        continue
                    free = int(timings[f"{name} free"][0])
                    rows.append(
                        [
                            kind,
                            f"{size:,}",
                            name,
                            free,
                            median(values) * 1000,
                            percentile(values, 0.99) * 1000,
                        ]
                    )
    markdown = table(
        "Availability by table size (store calls, one run)",
        ["store", "reservations", "question", "free rooms", "median ms", "p99 ms"],
        rows,
    )
    write("availability", results, markdown)
    return results


if __name__ == "__main__":
    main()
