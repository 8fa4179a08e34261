"""Storage: one ``Store`` protocol for reservations and one ``Registry`` protocol for customers
(``stores.protocols``, which every implementation imports), and here the factories that open one.

Only this package talks to a database.  Each implementation enforces "no double booking" and
idempotency inside its own atomic write (an SQLite transaction, a DynamoDB transaction): never a
read-then-write check in Python.  Implementations are imported lazily by ``open_store`` and
``open_registry`` so the Lambda functions load only the one they use (the authorizer the registry
alone, not the reservation store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reservations.settings import Settings
    from reservations.stores.protocols import Registry, Store


def open_store(settings: Settings) -> Store:
    if settings.store == "dynamodb":
        from reservations.stores.dynamodb import DynamoDBStore

        return DynamoDBStore.from_settings(settings)
    from reservations.stores.sqlite import SqliteStore

    return SqliteStore(settings.data_dir)


def open_registry(settings: Settings) -> Registry:
    if settings.store == "dynamodb":
        from reservations.stores.dynamodb_registry import DynamoDBRegistry

        return DynamoDBRegistry.from_settings(settings)
    from reservations.stores.sqlite_registry import SqliteRegistry

    return SqliteRegistry(settings.data_dir)
