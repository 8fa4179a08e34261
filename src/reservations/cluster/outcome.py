"""What one step did, in a shape the CLI, the Lambda log line and the SNS message all share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["down", "up", "status"]
# done: the goal is reached by this call; noop: nothing to do (already there, skipped, holiday);
# in_progress: one step taken or waited on, call again; refused: a guard said no; failed: it broke.
Status = Literal["done", "noop", "in_progress", "refused", "failed"]
TERMINAL: frozenset[str] = frozenset({"done", "noop", "refused", "failed"})


@dataclass(frozen=True)
class Outcome:
    action: Action
    status: Status
    step: str
    message: str
    cluster: str
    dry_run: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def ok(self) -> bool:
        """Success for exit codes and alarms: refused and failed are the only failures."""
        return self.status in ("done", "noop", "in_progress")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "status": self.status,
            "step": self.step,
            "message": self.message,
            "cluster": self.cluster,
            "dry_run": self.dry_run,
            **({"details": self.details} if self.details else {}),
        }
