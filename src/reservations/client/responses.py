"""Reading the server's answers that are not a result: an error response into the client's typed
exception (with the server's own message), a ``Retry-After`` header into seconds, a transport
failure into one line that says what went wrong.  Apart from ``library`` (the requests and their
retries), which raises what this reads."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from reservations.client.errors import (
    ApiError,
    AuthError,
    ClientError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from reservations.domain.reservation import Reservation


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe_network_error(base_url: str, exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        reason = "it did not answer in time"
    elif isinstance(exc, httpx.ConnectError):
        reason = "connection refused or host unknown"
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        reason = f"the URL is not valid ({exc})"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        reason = "the connection broke before it answered"
    else:
        reason = type(exc).__name__
    return f"cannot reach the server at {base_url}: {reason}"


_CLASS_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequestError,
    413: InvalidRequestError,
    422: InvalidRequestError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_from_response(response: httpx.Response) -> ClientError:
    """The typed exception for an error response, with the server's own message when it sent one."""
    status = response.status_code
    request_id = response.headers.get("X-Request-Id")
    error: Mapping[str, Any] = {}
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
    except ValueError:
        pass
    message = str(error.get("message") or f"HTTP {status} {response.reason_phrase}".strip())
    code = error.get("code") if isinstance(error.get("code"), str) else None
    field = error.get("field") if isinstance(error.get("field"), str) else None
    common: dict[str, Any] = {"status": status, "code": code, "field": field, "request_id": request_id}
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 409 and code == "room_not_defined":  # a number to type again, not a night taken
        return InvalidRequestError(message, **common)
    if status == 409:
        conflicting = None
        raw = error.get("conflicting_reservation")
        if isinstance(raw, dict):
            try:
                conflicting = Reservation.from_json(raw)
            except (KeyError, TypeError, ValueError):
                conflicting = None
        return ConflictError(message, conflicting=conflicting, **common)
    if status == 429:
        return RateLimitedError(message, retry_after_s=retry_after, **common)
    if status >= 500:
        return ServerError(message, retry_after_s=retry_after, **common)
    return _CLASS_BY_STATUS.get(status, ApiError)(message, **common)
