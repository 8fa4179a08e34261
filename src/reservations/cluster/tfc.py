"""The one seam between the scheduler and Terraform Cloud (or Enterprise).

Two implementations speak the same small interface: ``pytfe`` (HashiCorp's maintained SDK, the
default) and ``terrasnek`` (the original system's library, deprecated by its author, kept for
compatibility). Only ``tfc_pytfe`` and ``tfc_terrasnek`` import either client, lazily, so neither
is loaded by ``reservations --help`` nor by the teardown function. Both raise the errors below, and
both go through ``with_backoff`` so a 429 is retried identically whichever is configured.

This module is the interface and its types only; both implementations import it, and
``tfc_factory.make_client`` (which imports them) picks one, so nothing here imports back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# A run in one of these is going somewhere by itself or waits for someone: never start another.
ACTIVE_STATUSES = frozenset(
    {
        "pending",
        "fetching",
        "fetching_completed",
        "pre_plan_running",
        "pre_plan_completed",
        "queuing",
        "plan_queued",
        "planning",
        "planned",
        "cost_estimating",
        "cost_estimated",
        "policy_checking",
        "policy_override",
        "policy_checked",
        "policy_soft_failed",
        "post_plan_running",
        "post_plan_completed",
        "post_plan_awaiting_decision",
        "confirmed",
        "queuing_apply",
        "apply_queued",
        "pre_apply_running",
        "pre_apply_completed",
        "applying",
    }
)
# Where a run waits for a human (or for us) to confirm the apply.
CONFIRMABLE_STATUSES = frozenset({"planned", "cost_estimated", "policy_checked"})
QUEUED_STATUSES = frozenset({"pending", "queuing", "plan_queued"})
FAILED_STATUSES = frozenset({"errored", "discarded", "canceled", "force_canceled", "policy_soft_failed"})


class TfcError(Exception):
    """Terraform Cloud said no; the message is safe to show (it never contains the token)."""


class TfcNotFound(TfcError):
    pass


class TfcConflict(TfcError):
    """409: e.g. applying a run that is no longer confirmable."""


class TfcRateLimited(TfcError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TfcUnreachable(TfcError):
    """No answer in time, or no connection."""


@dataclass(frozen=True)
class TfcWorkspace:
    id: str
    name: str
    auto_apply: bool
    locked: bool
    locked_by: str | None = None  # "runs", "users" or "teams"


@dataclass(frozen=True)
class TfcRun:
    id: str
    status: str
    message: str
    created_at: datetime | None
    is_confirmable: bool
    plan_id: str | None
    position_in_queue: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class TfcPlan:
    id: str
    status: str
    additions: int
    changes: int
    destructions: int


@dataclass(frozen=True)
class TfcResourceChange:
    address: str
    type: str
    actions: tuple[str, ...]

    @property
    def destroys(self) -> bool:
        return "delete" in self.actions


def resource_changes(plan_json: dict[str, Any] | None) -> list[TfcResourceChange] | None:
    """The ``resource_changes`` of a JSON execution plan, or ``None`` when it is not available."""
    if not isinstance(plan_json, dict) or not isinstance(plan_json.get("resource_changes"), list):
        return None
    changes = []
    for item in plan_json["resource_changes"]:
        if not isinstance(item, dict):
            continue
        actions = (item.get("change") or {}).get("actions") or []
        changes.append(
            TfcResourceChange(str(item.get("address", "")), str(item.get("type", "")), tuple(actions))
        )
    return changes


class TerraformCloud(Protocol):
    def find_workspace(self, workspace: str) -> TfcWorkspace:
        """By name in the organization, or by id when it looks like ``ws-...``."""

    def recent_runs(self, workspace_id: str, limit: int = 20) -> list[TfcRun]:
        """Newest first."""

    def get_run(self, run_id: str) -> TfcRun: ...

    def create_run(self, workspace_id: str, message: str) -> TfcRun:
        """A plan of the whole workspace (never targeted: see rebuild.py)."""

    def apply_run(self, run_id: str, comment: str) -> None: ...

    def get_plan(self, plan_id: str) -> TfcPlan: ...

    def plan_resource_changes(self, plan_id: str) -> list[TfcResourceChange] | None:
        """From the plan's JSON output; ``None`` if Terraform Cloud does not offer it (yet)."""

    def close(self) -> None: ...


def with_backoff(
    call: Callable[[], T],
    *,
    attempts: int = 4,
    base: float = 1.0,
    cap: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Retries a rate-limited call, honouring Retry-After (capped, so a Lambda never outlives its timeout)."""
    for attempt in range(attempts):
        try:
            return call()
        except TfcRateLimited as error:
            if attempt == attempts - 1:
                raise
            delay = error.retry_after if error.retry_after is not None else base * 2**attempt
            sleep(min(max(delay, 0.0), cap))
    raise AssertionError("unreachable")  # pragma: no cover


def is_workspace_id(value: str) -> bool:
    return value.startswith("ws-")
