"""How many of a request's DynamoDB attempts were throttled or failed on DynamoDB's side.

The monitoring alarms on these two counts summed over every customer's table (issue #23, goal 4):
DynamoDB publishes its ``ThrottledRequests`` and ``SystemErrors`` per table and operation only, so
an alarm on its metrics would cost a metric per table, per operation, per alarm, a dollar or more a
customer a month.  Counted here, on the client, they leave each request in its one log line
(``store_throttles``, ``store_errors``), which a metric filter without a customer dimension turns
into two metrics whatever the number of customers, and a Contributor Insights rule breaks down by
customer.

botocore announces every attempt's outcome (``needs-retry``) before its retry handler decides, so
the counts include attempts it retried and the request then survived: the early warning, which a
count of failed requests would miss.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# DynamoDB's throttling answers (a whole call), and its per-item reasons in a cancelled transaction.
THROTTLE_CODES = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)
THROTTLE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})


@dataclass
class StoreAttempts:
    """One request's count: attempts DynamoDB throttled, and attempts it answered with a 5xx."""

    throttles: int = 0
    errors: int = 0


_current: ContextVar[StoreAttempts | None] = ContextVar("store_attempts", default=None)


@contextmanager
def counting() -> Iterator[StoreAttempts]:
    """Counts the attempts made in this context (this thread or task) until it ends."""
    attempts = StoreAttempts()
    token = _current.set(attempts)
    try:
        yield attempts
    finally:
        _current.reset(token)


def _count(response: tuple[Any, dict[str, Any]] | None = None, **_: Any) -> None:
    """botocore's ``needs-retry`` handler: returns nothing, so the retry decision is not touched."""
    attempts = _current.get()
    if attempts is None or response is None:  # outside a request, or no answer (a connection error)
        return
    http, parsed = response
    code = str((parsed.get("Error") or {}).get("Code", ""))
    reasons = {str(r.get("Code", "")) for r in parsed.get("CancellationReasons") or []}
    if code in THROTTLE_CODES or reasons & THROTTLE_REASONS:
        attempts.throttles += 1
    elif int(getattr(http, "status_code", 0) or 0) >= 500:
        attempts.errors += 1


def count_attempts(client: Any) -> Any:
    """Makes ``client`` (a DynamoDB client) report each attempt to the request counting it."""
    client.meta.events.register("needs-retry.dynamodb", _count, unique_id="reservations-store-attempts")
    return client
