"""Benchmark 3 of the core issue: list-page latency with 1,000 vs 100,000 reservations, both stores.

Keyset pagination should make a page cost the same whatever the table holds.  The tables are
seeded in bulk (bench-only code that writes the stores' documented layouts directly; seeding 100k
reservations one transaction at a time would take longer than the benchmark), then a first page,
a deep page (after a cursor near the end), a room-filtered page and a date window are timed through
the store.  DynamoDB runs on moto, whose Query walks the whole partition whatever the key condition:
its growth with the table is the emulator's, not DynamoDB's (which reads only the page's items), so
it is measured at 1k and 10k.  The DynamoDB store bounds the items one filtered page may read, so a filtered page can
come back short with a cursor (``items`` says how many it returned).

    python -m bench.list_page [--sizes 1000,100000] [--samples 30]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import median, percentile, table, write
from bench.servers import moto
from reservations.domain.parsing import now_utc
from reservations.domain.reservation import Cursor, ListQuery, Reservation
from reservations.settings import Settings
from reservations.stores import open_store
from reservations.stores.protocols import Store

START = date.today() + timedelta(days=1)


def synthetic(count: int) -> list[Reservation]:
    """Non-overlapping stays: 500 rooms, each booked for consecutive 2-night stays."""
    created = now_utc()
    return [
        Reservation(i + 1, f"Guest {i}", i % 500 + 1, 2, START + timedelta(days=2 * (i // 500)), created)
        for i in range(count)
    ]


def seed_sqlite(settings: Settings, table: str, rows: list[Reservation]) -> None:
    path = settings.data_dir / "tables" / f"{table}.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.reservation_id,
                    r.guest_name,
                    r.room_number,
                    r.nights,
                    r.check_in.isoformat(),
                    r.check_out.isoformat(),
                    r.to_json()["created_at"],
                )
                for r in rows
            ],
        )
        conn.executemany(
            "INSERT INTO nights VALUES (?, ?, ?)",
            [(r.room_number, night.isoformat(), r.reservation_id) for r in rows for night in r.stay_nights()],
        )


def seed_dynamodb(settings: Settings, table: str, rows: list[Reservation]) -> None:
    from reservations.stores import dynamodb_items as items
    from reservations.stores.dynamodb_client import make_client

    client = make_client(settings)
    batch: list[dict[str, Any]] = []
    for r in rows:
        attributes = items.reservation_attributes(r)
        batch.append({"PutRequest": {"Item": {**items.list_key(r), **attributes}}})
        batch.append({"PutRequest": {"Item": {**items.id_key(r.reservation_id), **attributes}}})
        if len(batch) == 24:
            client.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={table: batch})


def time_queries(store: Store, table: str, count: int, samples: int) -> dict[str, list[float]]:
    near_end = synthetic(count)[-60]
    queries = {
        "first page (50)": ListQuery(limit=50),
        "deep page (50, cursor near the end)": ListQuery(limit=50, cursor=Cursor.after(near_end)),
        "room filter (50)": ListQuery(limit=50, room_number=7),
        "date window (50)": ListQuery(
            limit=50, start=near_end.check_in, end=near_end.check_in + timedelta(days=4)
        ),
    }
    timings: dict[str, list[float]] = {name: [] for name in queries}
    for name, query in queries.items():
        store.list(table, query)
        for _ in range(samples):
            started = time.perf_counter()
            page = store.list(table, query)
            timings[name].append(time.perf_counter() - started)
        timings[f"{name} items"] = [float(len(page.items))]
    return timings


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument(
        "--dynamodb-sizes",
        default="1000,10000",
        help="moto's Query reads the whole partition (linear in the table), so at 100k it times out:"
        " its figures measure the emulator, not DynamoDB",
    )
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--stores", default="sqlite,dynamodb")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    rows = []
    for kind in args.stores.split(","):
        with moto(kind) as endpoint:
            sizes = args.dynamodb_sizes if kind == "dynamodb" else args.sizes
            for size in (int(x) for x in sizes.split(",")):
                tmp = Path(tempfile.mkdtemp(prefix=f"bench-list-{kind}-"))
                settings = Settings(
                    store=kind, data_dir=tmp, dynamodb_endpoint=endpoint, table_prefix=f"l{size}_"
                )
                store = open_store(settings)
                table_name = settings.table_for("bench")
                store.create_table(table_name)
                seeded = time.perf_counter()
                (seed_sqlite if kind == "sqlite" else seed_dynamodb)(settings, table_name, synthetic(size))
                seed_s = time.perf_counter() - seeded
                timings = time_queries(store, table_name, size, args.samples)
                store.close()
                results[f"{kind} {size}"] = {"seed_s": seed_s, "seconds": timings}
                for name, values in timings.items():
                    if name.endswith(" items"):
                        continue
                    returned = int(timings[f"{name} items"][0])
                    rows.append(
                        [
                            kind,
                            f"{size:,}",
                            name,
                            returned,
                            median(values) * 1000,
                            percentile(values, 0.99) * 1000,
                        ]
                    )
    markdown = table(
        "List page latency by table size (store calls, one run)",
        ["store", "reservations", "query", "items", "median ms", "p99 ms"],
        rows,
    )
    write("list_page", results, markdown)
    return results


if __name__ == "__main__":
    main()
