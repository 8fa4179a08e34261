"""Typed exceptions of the client library, one per way a call can fail.

Callers branch on the class, not on status codes: the CLI maps them to exit statuses, the menu to
a re-ask (validation), an offer to change dates (conflict) or a retry prompt (network).
"""

from __future__ import annotations

from typing import Any

from reservations.domain.reservation import Reservation


class ClientError(Exception):
    """Base of every client failure; ``message`` is fit to show to a person as is."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        if code:
            self.code = code
        self.field = field
        self.request_id = request_id


class NetworkError(ClientError):
    """The server could not be reached, or did not answer in time (after retries)."""

    code = "network_error"


class ApiError(ClientError):
    """The server answered with an error; subclasses name the classes callers handle."""


class InvalidRequestError(ApiError):
    """400/413/422: the input was refused; ``field`` names the culprit when the server says."""

    code = "validation_error"


class AuthError(ApiError):
    """401/403: unknown customer, wrong or revoked key."""

    code = "unauthenticated"


class NotFoundError(ApiError):
    code = "not_found"


class ConflictError(ApiError):
    """409: the room is taken on one of the nights; ``conflicting`` is the reservation holding it."""

    code = "conflict"

    def __init__(self, message: str, *, conflicting: Reservation | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.conflicting = conflicting


class RateLimitedError(ApiError):
    """429 after every retry; ``retry_after_s`` is the server's hint, when it gave one."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class ServerError(ApiError):
    """5xx: the server (or a proxy in front of it) failed; retrying later may help."""

    code = "internal_error"

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s
