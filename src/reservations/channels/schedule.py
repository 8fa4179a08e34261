"""``reservations serve`` runs the channel sync on the schedule AWS runs it (every 15 minutes).

A thread of the serving process (the supervisor, not each worker, so one sync runs at a time),
with its own store and registry; a failed run is logged and the next one comes anyway.
``RESERVATIONS_CHANNEL_SYNC_INTERVAL_S`` changes the interval (0: no scheduled sync).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from reservations.settings import Settings

SYNC_INTERVAL_S = 15 * 60
INTERVAL_ENV = "RESERVATIONS_CHANNEL_SYNC_INTERVAL_S"
logger = logging.getLogger("reservations.channels")


def interval_s(environ: dict[str, str] | None = None) -> float:
    raw = (os.environ if environ is None else environ).get(INTERVAL_ENV, "")
    try:
        return max(0.0, float(raw)) if raw else float(SYNC_INTERVAL_S)
    except ValueError:
        return float(SYNC_INTERVAL_S)


def sync_once(settings: Settings) -> None:
    from reservations.channels.sync import ChannelSync, local_fetcher
    from reservations.stores import open_registry, open_store

    store, registry = open_store(settings), open_registry(settings)
    try:
        ChannelSync(store, registry, local_fetcher(settings.local_feeds)).run()
    finally:
        store.close()
        registry.close()


def _stopped_within(stop: threading.Event, seconds: float) -> bool:
    """Waits ``seconds`` unless ``stop`` is set first, in short sleeps rather than ``stop.wait``:
    a timed condition wait never returns under libfaketime with a clock offset (how the suites run
    a year ahead), while ``time.sleep`` keeps time on any clock; a stop is seen within 0.2 s."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, 0.2))
    return True


def start(settings: Settings, stop: threading.Event, every_s: float | None = None) -> threading.Thread | None:
    """Runs ``sync_once`` every ``every_s`` seconds until ``stop`` is set; None when switched off."""
    every = interval_s() if every_s is None else every_s
    if every <= 0:
        return None

    def loop() -> None:
        while not _stopped_within(stop, every):
            try:
                sync_once(settings)
            except Exception:  # a scheduled run must never take the server down
                logger.exception("scheduled channel sync failed")

    thread = threading.Thread(target=loop, name="channel-sync", daemon=True)
    thread.start()
    return thread
