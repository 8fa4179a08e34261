"""The one wiring point: settings → store, registry and service, built once per process.

Lambda keeps a process warm across invocations, so the store (and its boto3 client) is made on the
first request and reused.  ``reservations serve`` and the tests call ``configure`` first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from reservations.service import ReservationService
from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.stores.protocols import Registry, Store

if TYPE_CHECKING:
    from reservations.channels.service import ChannelService

_lock = threading.Lock()
_settings: Settings | None = None
_store: Store | None = None
_registry: Registry | None = None
_service: ReservationService | None = None
_channels: ChannelService | None = None


def configure(settings: Settings) -> None:
    """Replaces the process's settings; later calls to ``store()``/``service()`` use them."""
    global _settings, _store, _registry, _service, _channels
    with _lock:
        for old in (_store, _registry):
            if old is not None:
                old.close()
        _settings, _store, _registry, _service, _channels = settings, None, None, None, None


def settings() -> Settings:
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = Settings.from_env()
    return _settings


def store() -> Store:
    global _store
    if _store is None:
        current = settings()
        with _lock:
            if _store is None:
                _store = open_store(current)
    return _store


def registry() -> Registry:
    global _registry
    if _registry is None:
        current = settings()
        with _lock:
            if _registry is None:
                _registry = open_registry(current)
    return _registry


_proved: ContextVar[tuple[str, str] | None] = ContextVar("proved_table", default=None)


@contextmanager
def proved_table(customer: str | None, table: str | None) -> Iterator[None]:
    """While a request runs: the table the authorizer proved along with its customer.

    The authorizer reads the customer's registry entry anyway (it proves the key), so it passes the
    entry's ``table`` in its context; the API functions never read the registry themselves, and
    their roles cannot."""
    token = _proved.set((customer, table) if customer and table else None)
    try:
        yield
    finally:
        _proved.reset(token)


class CustomerTables:
    """Customer -> table: the one the authorizer proved (a restore may have moved the customer to a
    restored copy), or else today's naming (``Settings.table_for``).

    A proved table that is not this customer's own or one of its restored copies is ignored: the
    tenant role would refuse it anyway.  A restore's switch reaches requests as soon as API Gateway
    asks the authorizer again (its cache TTL, ``authorizer_cache_ttl_seconds``).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def __call__(self, customer: str) -> str:
        proved = _proved.get()
        if proved is not None and proved[0] == customer:
            try:
                if self._settings.customer_of(proved[1]) == customer:
                    return proved[1]
            except ValueError:
                pass
        return self._settings.table_for(customer)


def channels() -> ChannelService:
    """The channel use cases over the same store and tables as ``service``."""
    global _channels
    if _channels is None:
        # Here, not at the top: only the channel functions pay for the iCalendar library's import.
        from reservations.channels.service import ChannelService

        built = ChannelService(store(), CustomerTables(settings()))
        with _lock:
            if _channels is None:
                _channels = built
    return _channels


def service() -> ReservationService:
    global _service
    if _service is None:
        built = ReservationService(store(), CustomerTables(settings()))
        with _lock:
            if _service is None:
                _service = built
    return _service
