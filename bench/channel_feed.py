"""A room's export feed (issue #25): what rendering a year of nights costs, first time and again.

The feed is ``icalendar``'s rendering (no hand-written RFC 5545), ~0.6 ms an event here: a room
with a year of one-night stays (365 events) costs ~0.2 s to render from nothing.  So nothing is
rendered twice: each event's lines are kept by their fields (``ics._event``), a room's body by the
ETag of the version it renders (``service.RenderedFeeds``).  Measured: the first render of the
day (every cache empty: DTSTAMP is the day, so each day renders its events once), a render after
one stay changed (one new event), a repeat of the same version (what a channel polling without
``If-None-Match`` costs), and the ETag alone (what a ``304`` costs).

    python -m bench.channel_feed [--samples 15]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import fail_if_missed, median, table, write
from reservations.channels import ics
from reservations.channels.service import RenderedFeeds

GOAL_MS = 5.0  # "a few milliseconds", for every render but the day's first
STAMP = datetime(2030, 1, 1, tzinfo=UTC)


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
    def version(of: dict[date, int]) -> str:
        return ics.etag(repr((ics.PRODID, "star", 101, STAMP, sorted(of.items()))).encode())

    def cold() -> None:
        ics._event.cache_clear()  # the day's first render starts from nothing
        ics._envelope.cache_clear()

    def one_changed() -> dict[date, int]:
        ics.render_feed("star", 101, nights, STAMP)  # the room as it was, rendered
        changed = dict(nights)
        first = min(changed)
        changed[first] = 10**6 + len(found.get("after one stay changed", []))  # a stay never seen
        return changed

    feeds = RenderedFeeds()
    tag = version(nights)
    feeds.get(tag, lambda: ics.render_feed("star", 101, nights, STAMP))
    found: dict[str, list[float]] = {}
    found["first render of the day"] = timed(
        samples, cold, lambda _: ics.render_feed("star", 101, nights, STAMP)
    )
    found["after one stay changed"] = timed(
        samples * 10, one_changed, lambda changed: ics.render_feed("star", 101, changed, STAMP)
    )
    found["repeat of the same version"] = timed(
        samples * 10,
        lambda: None,
        lambda _: feeds.get(tag, lambda: ics.render_feed("star", 101, nights, STAMP)),
    )
    found["ETag only (a 304)"] = timed(samples * 10, lambda: None, lambda _: version(nights))
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"goal_ms": GOAL_MS, "seconds": {}, "median_ms": {}}
    rows = []
    missed = []
    for label, per_stay in (("a year of one-night stays", 1), ("a year of three-night stays", 3)):
        nights = year_of(per_stay)
        events = len({holder for holder in nights.values()})
        timings = measure(nights, args.samples)
        results["seconds"][label] = timings
        for case, values in timings.items():
            ms = median(values) * 1000
            results["median_ms"][f"{label}, {case}"] = ms
            goal = case != "first render of the day"
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
