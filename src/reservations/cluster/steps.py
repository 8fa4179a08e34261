"""What every step is told about the call it serves, and the AWS error codes steps treat alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Trigger = Literal["schedule", "manual"]
Phase = Literal["start", "follow-up"]

THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)


@dataclass(frozen=True)
class StepContext:
    """Scheduled calls honour holidays and skip tags; a person's manual call never does.

    ``phase`` tells the first call of a cycle from its follow-ups, which only finish what was
    started (a teardown begun before midnight finishes on a holiday).
    """

    trigger: Trigger = "manual"
    phase: Phase = "start"
    dry_run: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def scheduled_start(self) -> bool:
        return self.trigger == "schedule" and self.phase == "start"


def error_code(error: Any) -> str:
    """The AWS error code of a botocore ``ClientError``."""
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def error_message(error: Any) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Message", "")) or str(error)
