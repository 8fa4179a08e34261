"""The model check's channels: syncs run while the clerks book, change and delete.

Two base rooms import a channel's feed each, served as real ``.ics`` files on loopback.  While the
clients run, a channel task keeps rewriting the feeds (events come, move and vanish, many over
nights the clerks book too) and runs the sync, in this process against the very store the server
uses, so a sync's claims and releases interleave with the clerks' requests.

What must hold: a clerk's 409 naming a block names one that overlaps the stay asked for, in its
room; at the end no night is held twice, by stays and blocks together; after a last sync with the
clients stopped, the blocks are exactly the feeds' nights less those reported as conflicts, and
every conflict's nights meet a stay (the channel sold a night we sold too).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from reservations.settings import Settings
from tests.channels.feeds import FeedServer, airbnb_ics, feed_server
from tests.proofs.harness import Figures, day

CHANNEL_ROOMS = (1, 2)  # base rooms the clerks book too, so claims and bookings collide


@dataclass(frozen=True)
class SyncRun:
    """Where the syncs run: the server's store (``settings``), the customer, how many syncs."""

    settings: Settings
    customer: str
    syncs: int


@dataclass
class Channels:
    """The feeds' current events per room (uid -> first night, day after the last)."""

    server: FeedServer
    urls: dict[int, str] = field(default_factory=dict)
    events: dict[int, dict[str, tuple[date, date]]] = field(default_factory=dict)

    def publish(self, rng: random.Random, room: int) -> None:
        """The channel's bookings change: some move, some vanish, some are new."""
        events = self.events.setdefault(room, {})
        for uid in list(events):
            roll = rng.random()
            if roll < 0.3:
                del events[uid]
            elif roll < 0.6:
                events[uid] = _nights(rng)
        for _ in range(rng.randint(1, 3)):
            events[f"ev{rng.randrange(10**6)}@channel.test"] = _nights(rng)
        body = airbnb_ics([(uid, start, end) for uid, (start, end) in sorted(events.items())])
        self.server.serve_ics(f"/room-{room}.ics", body)


def _nights(rng: random.Random) -> tuple[date, date]:
    start = date.fromisoformat(day(rng.randint(1, 45)))
    return start, start + timedelta(days=rng.randint(1, 4))


@contextmanager
def channels(url: str, headers: dict[str, str], seed: int) -> Iterator[Channels]:
    """The feeds, served, and imported by the channel rooms (defined already)."""
    with feed_server() as server:
        found = Channels(server)
        rng = random.Random(seed)
        with httpx.Client(base_url=url, headers=headers, timeout=60) as setup:
            for room in CHANNEL_ROOMS:
                found.publish(rng, room)
                found.urls[room] = f"{server.url}/room-{room}.ics"
                setup.put(f"/rooms/{room}", json={"import_calendars": [found.urls[room]]}).raise_for_status()
        yield found


def sync(settings: Settings, customer: str) -> list[Any]:
    """One sync of the customer, as the scheduled function runs it, against the server's store."""
    from reservations.channels.sync import ChannelSync, local_fetcher
    from reservations.stores import open_registry, open_store

    direct = dataclasses.replace(settings, tenant_role_arn=None)
    store, registry = open_store(direct), open_registry(direct)
    try:
        return ChannelSync(store, registry, local_fetcher(True)).run(customer)
    finally:
        registry.close()
        store.close()


async def channel_task(feeds: Channels, run: SyncRun, figures: Figures, seed: int) -> None:
    """Rewrites the feeds and syncs, ``run.syncs`` times, while the clerks work."""
    rng = random.Random(seed)
    for _ in range(run.syncs):
        for room in CHANNEL_ROOMS:
            feeds.publish(rng, room)
        outcomes = await asyncio.to_thread(sync, run.settings, run.customer)
        for outcome in outcomes:
            for feed in outcome.feeds:
                figures.add("sync_blocked", feed.blocked)
                figures.add("sync_released", feed.released)
                figures.add("sync_conflicts", len(feed.conflicts))
                if feed.error:
                    figures.fail(f"sync of room {outcome.room_number}: {feed.error}")
        figures.add("syncs")
        await asyncio.sleep(rng.uniform(0.05, 0.3))


def refused_by_block(
    response: httpx.Response, asked: dict[str, Any], figures: Figures, what: str, *, known: bool = True
) -> bool:
    """True for a 409 that a channel's block caused; the block named must overlap the stay asked
    (when ``known``: a change raced by another clerk's has a stay before it that is not)."""
    error = response.json().get("error", {}) if response.status_code == 409 else {}
    block = error.get("conflicting_block")
    if block is None:
        return response.status_code == 409 and "channel calendar" in str(error.get("message"))
    figures.add(f"{what}_blocked")
    if not known:
        return True
    start = date.fromisoformat(asked["check_in"])
    end = start + timedelta(days=asked["nights"])
    if asked["room_number"] not in CHANNEL_ROOMS or not (
        date.fromisoformat(block["check_in"]) < end and start < date.fromisoformat(block["check_out"])
    ):
        figures.fail(f"{what} {asked} refused naming block {block}, which does not overlap it")
    return True


def held_nights(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The channel rooms' blocks, as stays (``reservation_id`` the negative block id)."""
    found = []
    for room in CHANNEL_ROOMS:
        status = httpx.get(f"{url}/rooms/{room}/sync", headers=headers, timeout=60).json()
        for block in status["blocks"]:
            nights = (date.fromisoformat(block["check_out"]) - date.fromisoformat(block["check_in"])).days
            found.append({**block, "reservation_id": -block["block_id"], "nights": nights})
    return found


def check_settled(
    feeds: Channels,
    outcomes: list[Any],
    stays: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
    figures: Figures,
) -> None:
    """After a last sync with the clerks stopped: the blocks are exactly the feeds' events less those
    reported as conflicts, and each conflict meets a night that a stay or another block holds."""
    held: dict[int, set[date]] = {room: set() for room in CHANNEL_ROOMS}
    for item in [*stays, *blocks]:
        if item["room_number"] in held:
            held[item["room_number"]] |= _span(item["check_in"], item["check_out"])
    refused: Counter[tuple[int, str, str]] = Counter()
    for outcome in outcomes:
        for feed in outcome.feeds:
            for conflict in feed.conflicts:
                refused[(outcome.room_number, conflict["check_in"], conflict["check_out"])] += 1
                if not _span(conflict["check_in"], conflict["check_out"]) & held[outcome.room_number]:
                    figures.fail(f"room {outcome.room_number}: conflict {conflict} meets no night held")
    wanted = Counter(
        (room, start.isoformat(), end.isoformat())
        for room in CHANNEL_ROOMS
        for start, end in feeds.events[room].values()
    )
    stored = Counter((b["room_number"], b["check_in"], b["check_out"]) for b in blocks)
    if stored != wanted - refused:
        figures.fail(
            f"blocks {sorted((stored - (wanted - refused)).elements())[:3]} stored but not wanted, "
            f"{sorted(((wanted - refused) - stored).elements())[:3]} wanted but not stored"
        )
    figures.counts["settled_blocks"] = sum(stored.values())
    figures.counts["settled_conflicts"] = sum(refused.values())


def _span(check_in: str, check_out: str) -> set[date]:
    start, end = date.fromisoformat(check_in), date.fromisoformat(check_out)
    return {start + timedelta(days=i) for i in range((end - start).days)}
