"""What both scheduler Lambda functions do around one step: validate, run, log one line, notify.

Invocation model: an EventBridge Scheduler schedule (with a time zone) fires each function once at
its configured time with ``{"phase": "start"}``. A step that leaves work in progress switches on
that function's follow-up schedule (``rate(5 minutes)``, input ``{"phase": "follow-up"}``); the
follow-up call that finishes the cycle switches it off again. The function never waits for AWS or
Terraform Cloud, so a cycle costs a few seconds of Lambda time instead of twenty minutes.

The handler never raises: a raised error would make the scheduler retry a step that already
reported why it stopped. Unexpected errors are logged with their traceback and reported as failed.
"""

from __future__ import annotations

from typing import Any

from reservations.cluster.config import ConfigError, SchedulerConfig
from reservations.cluster.outcome import Outcome
from reservations.cluster.runner import Clients, notify, run_step, set_followup
from reservations.cluster.steps import StepContext

_CLIENTS = Clients()


def _context(event: Any) -> StepContext:
    if not isinstance(event, dict):
        event = {}
    phase = event.get("phase", "start")
    if phase not in ("start", "follow-up"):
        raise ConfigError(f"event phase must be start or follow-up, not {phase!r}")
    trigger = event.get("trigger", "schedule")
    if trigger not in ("schedule", "manual"):
        raise ConfigError(f"event trigger must be schedule or manual, not {trigger!r}")
    return StepContext(trigger=trigger, phase=phase, dry_run=bool(event.get("dry_run", False)))


def handle(action: str, event: Any, logger: Any, clients: Clients | None = None) -> dict[str, Any]:
    clients = clients or _CLIENTS
    name = "unknown"
    try:
        config = SchedulerConfig.from_env()
        name = config.cluster_name
        if action == "up":
            config.require_tfc()
        ctx = _context(event)
    except ConfigError as error:
        outcome = Outcome(action, "failed", "config", str(error), name)  # type: ignore[arg-type]
        logger.error(outcome.message, extra={"outcome": outcome.to_dict()})
        return outcome.to_dict()
    try:
        outcome = run_step(action, config, clients, ctx)
    except Exception as error:  # the last line of defence; the traceback goes to the log
        logger.exception("step crashed")
        outcome = Outcome(action, "failed", "crashed", f"{type(error).__name__}: {error}", name)  # type: ignore[arg-type]
    result = outcome.to_dict()
    # Neither problem below may hide the step's own outcome; each is logged as an error of its own.
    if not ctx.dry_run:
        try:
            result["followup_changed"] = set_followup(config, clients, enabled=not outcome.terminal)
        except Exception as error:
            result["followup_error"] = f"{type(error).__name__}: {error}"
            logger.error("could not switch the follow-up schedule", extra={"error": result["followup_error"]})
    try:
        result["notified"] = notify(config, clients, outcome)
    except Exception as error:
        result["notify_error"] = f"{type(error).__name__}: {error}"
        logger.error("could not publish the outcome", extra={"error": result["notify_error"]})
    log = logger.info if outcome.ok else logger.error
    log(outcome.message, extra={"outcome": result})
    return result
