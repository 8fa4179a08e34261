"""A room's export feed (issue #25): what rendering a year of nights costs, first time and again.

The feed is ``icalendar``'s rendering (no hand-written RFC 5545), one content line at a time: ~10 µs
a line (its content-line assembly and character-by-character folding), ~20 µs a date line (its
``VALUE=DATE`` parameter), ~110 µs an event built as an ``icalendar.Event`` and rendered whole.  So
each line is rendered once per process: a stay's lines by its fields (``ics._event``, kept across
days: ``DTSTAMP`` is apart), a date's by the date (``ics._dated``, shared by every room), the day's
``DTSTAMP`` once a day, and a room's body by the ETag of the version it renders
(``service.RenderedFeeds``).  Measured, in this process: the first render with nothing cached (a
process's first), a room new to a process that has rendered others (its stays' lines are new, the
dates' are known), the first render of a day (a new ``DTSTAMP``), a render after one stay changed,
a repeat of the same version (a channel polling without ``If-None-Match``) and the ETag alone (a
``304``); and in new interpreters, what a cold process pays before its first render: importing
``icalendar``.

    python -m bench.channel_feed [--samples 15]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import fail_if_missed, median, table, write
from reservations.channels import ics
from reservations.channels.service import RenderedFeeds

GOAL_MS = 5.0  # "a few milliseconds", for every render of a process that has rendered feeds before
STAMP = datetime(2030, 1, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
CACHES = (ics._event, ics._dated, ics._envelope, ics._layout, ics._probe)
# Cases measured against the goal; the others are what a process pays once (reported, no goal).
GOALS = (
    "first render of the day",
    "after one stay changed",
    "repeat of the same version",
    "ETag only (a 304)",
)
NEW_PROCESS = """
import json, sys, time
started = time.perf_counter()
import icalendar
imported = time.perf_counter()
from bench.channel_feed import STAMP, year_of
from reservations.channels import ics
nights = year_of(1)
rendering = time.perf_counter()
ics.render_feed("star", 101, nights, STAMP)
print(json.dumps({"import": imported - started, "render": time.perf_counter() - rendering}))
"""


def year_of(nights_per_stay: int) -> dict[date, int]:
    """A year of nights, every one taken, by stays of ``nights_per_stay`` nights."""
    return {STAMP.date() + timedelta(days=i): i // nights_per_stay + 1 for i in range(365)}


def timed(samples: int, setup: Callable[[], Any], run: Callable[[Any], object]) -> list[float]:
    found = []
    for _ in range(samples):
        prepared = setup()
        started = time.perf_counter()
        run(prepared)
        found.append(time.perf_counter() - started)
    return found


def measure(nights: dict[date, int], samples: int) -> dict[str, list[float]]:
    """Each case is its setup (untimed) and its render, in the order a process meets them."""
    rooms = iter(range(10**6))
    days = iter(range(1, 10**6))

    def version(of: dict[date, int]) -> str:
        return ics.etag(repr((ics.PRODID, "star", 101, STAMP, sorted(of.items()))).encode())

    def nothing_cached() -> None:
        for cache in CACHES:
            cache.cache_clear()

    def new_room() -> str:
        ics.render_feed("star", 101, nights, STAMP)  # the process has rendered a room of these dates
        return f"hotel{next(rooms)}"  # a customer never seen: every stay's UID is new

    def new_day() -> datetime:
        ics.render_feed("star", 101, nights, STAMP)  # yesterday's render, cached
        return STAMP + timedelta(days=next(days))

    def one_changed() -> dict[date, int]:
        ics.render_feed("star", 101, nights, STAMP)  # the room as it was, rendered
        changed = dict(nights)
        changed[min(changed)] = 10**6 + next(rooms)  # a stay never seen
        return changed

    feeds = RenderedFeeds()
    tag = version(nights)
    feeds.get(tag, lambda: ics.render_feed("star", 101, nights, STAMP))
    return {
        "nothing cached (a process's first render)": timed(
            samples, nothing_cached, lambda _: ics.render_feed("star", 101, nights, STAMP)
        ),
        "a room new to the process": timed(
            samples, new_room, lambda customer: ics.render_feed(customer, 101, nights, STAMP)
        ),
        "first render of the day": timed(
            samples * 10, new_day, lambda stamp: ics.render_feed("star", 101, nights, stamp)
        ),
        "after one stay changed": timed(
            samples * 10, one_changed, lambda changed: ics.render_feed("star", 101, changed, STAMP)
        ),
        "repeat of the same version": timed(
            samples * 10,
            lambda: None,
            lambda _: feeds.get(tag, lambda: ics.render_feed("star", 101, nights, STAMP)),
        ),
        "ETag only (a 304)": timed(samples * 10, lambda: None, lambda _: version(nights)),
    }


def new_processes(samples: int) -> dict[str, list[float]]:
    """A cold process (a Lambda cold start): importing ``icalendar``, then its first render."""
    found: dict[str, list[float]] = {"import icalendar": [], "first render": []}
    for _ in range(samples):
        ran = subprocess.run(
            [sys.executable, "-c", NEW_PROCESS], cwd=ROOT, capture_output=True, text=True, check=True
        )
        got = json.loads(ran.stdout)
        found["import icalendar"].append(got["import"])
        found["first render"].append(got["render"])
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"goal_ms": GOAL_MS, "seconds": {}, "median_ms": {}}
    rows = []
    missed = []
    rooms: list[tuple[str, int, dict[str, list[float]]]] = []
    for label, per_stay in (("a year of one-night stays", 1), ("a year of three-night stays", 3)):
        nights = year_of(per_stay)
        rooms.append((label, len(set(nights.values())), measure(nights, args.samples)))
    rooms.append(("a new process, a year of one-night stays", 365, new_processes(max(3, args.samples // 3))))
    for label, events, timings in rooms:
        results["seconds"][label] = timings
        for case, values in timings.items():
            ms = median(values) * 1000
            results["median_ms"][f"{label}, {case}"] = ms
            goal = case in GOALS
            rows.append([label, events, case, len(values), f"{ms:.3g}", f"≤ {GOAL_MS:g}" if goal else "-"])
            if goal and ms > GOAL_MS:
                missed.append(f"{label}, {case}: {ms:.1f} ms > {GOAL_MS:g} ms")
    results["missed"] = missed
    markdown = table(
        "A room's export feed: rendering a year of nights (icalendar, median ms, one run)",
        ["room", "events", "render", "samples", "median ms", "goal ms"],
        rows,
    )
    write("channel_feed", results, markdown)
    fail_if_missed(missed)
    return results


if __name__ == "__main__":
    main()
