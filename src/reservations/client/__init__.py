"""HTTP client library, CLI and menu.

``from reservations.client import ReservationsClient`` is the library; ``cli.py`` and ``menu.py``
are its two front ends.  The names below load on first use (PEP 562), because the top-level CLI
imports ``reservations.client.cli`` and ``serve`` imports ``client.config`` on every start: neither
should pay for httpx just by importing the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reservations.client.errors import (
        ApiError,
        AuthError,
        ClientError,
        ConflictError,
        InvalidRequestError,
        NetworkError,
        NotFoundError,
        RateLimitedError,
        ServerError,
    )
    from reservations.client.library import ReservationsClient

_LOCATIONS = {
    "ReservationsClient": "reservations.client.library",
    "ApiError": "reservations.client.errors",
    "AuthError": "reservations.client.errors",
    "ClientError": "reservations.client.errors",
    "ConflictError": "reservations.client.errors",
    "InvalidRequestError": "reservations.client.errors",
    "NetworkError": "reservations.client.errors",
    "NotFoundError": "reservations.client.errors",
    "RateLimitedError": "reservations.client.errors",
    "ServerError": "reservations.client.errors",
}

__all__ = [
    "ApiError",
    "AuthError",
    "ClientError",
    "ConflictError",
    "InvalidRequestError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "ReservationsClient",
    "ServerError",
]


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
