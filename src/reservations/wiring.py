"""The one wiring point: settings → store, registry and service, built once per process.

Lambda keeps a process warm across invocations, so the store (and its boto3 client) is made on the
first request and reused.  ``reservations serve`` and the tests call ``configure`` first.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

from reservations.service import ReservationService
from reservations.settings import Settings
from reservations.stores import Registry, Store, open_registry, open_store

_lock = threading.Lock()
_settings: Settings | None = None
_store: Store | None = None
_registry: Registry | None = None
_service: ReservationService | None = None


def configure(settings: Settings) -> None:
    """Replaces the process's settings; later calls to ``store()``/``service()`` use them."""
    global _settings, _store, _registry, _service
    with _lock:
        for old in (_store, _registry):
            if old is not None:
                old.close()
        _settings, _store, _registry, _service = settings, None, None, None


def settings() -> Settings:
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = Settings.from_env()
    return _settings


def _settle() -> None:
    """Moves every object loaded so far (the modules) out of the cyclic GC's reach, once.

    Creating the boto3 client allocates enough to trigger full collections, and each one walked
    every object of the handler's modules and Powertools: about 25 ms of a Lambda cold start,
    measured on the deployed zip.  Module objects live as long as the process anyway.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()


def store() -> Store:
    global _store
    if _store is None:
        current = settings()
        with _lock:
            if _store is None:
                _settle()
                _store = open_store(current)
    return _store


def registry() -> Registry:
    global _registry
    if _registry is None:
        current = settings()
        with _lock:
            if _registry is None:
                _settle()
                _registry = open_registry(current)
    return _registry


class CustomerTables:
    """Customer -> table, as the registry says (a restore may have moved the customer to a new table).

    Each answer is remembered for ``ttl_s``: one registry read per customer per container every 30 s
    rather than one per request, so a restore's switch reaches every container within that time.
    A customer the registry does not know keeps today's naming (``Settings.table_for``).
    """

    def __init__(
        self,
        registry: Registry,
        default: Callable[[str], str],
        ttl_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._default = default
        self._ttl_s = ttl_s
        self._clock = clock
        self._known: dict[str, tuple[str, float]] = {}

    def __call__(self, customer: str) -> str:
        now = self._clock()
        known = self._known.get(customer)
        if known is not None and now - known[1] < self._ttl_s:
            return known[0]
        record = self._registry.get_customer(customer)
        table = record.table if record is not None else self._default(customer)
        self._known[customer] = (table, now)
        return table


def service() -> ReservationService:
    global _service
    if _service is None:
        built = ReservationService(store(), CustomerTables(registry(), settings().table_for))
        with _lock:
            if _service is None:
                _service = built
    return _service
