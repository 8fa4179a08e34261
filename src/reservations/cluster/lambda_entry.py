"""What both scheduler Lambda functions do around one step: validate, run, log one line, notify.

Invocation model: an EventBridge Scheduler schedule (with a time zone) fires each function once at
its configured time with ``{"phase": "start"}``. A step that leaves work in progress switches on
that function's follow-up schedule (``rate(5 minutes)``, input ``{"phase": "follow-up"}``); the
follow-up call that finishes the cycle switches it off again. The function never waits for AWS or
Terraform Cloud, so a cycle costs a few seconds of Lambda time instead of twenty minutes.

The handler never raises: a raised error would make the scheduler retry a step that already
reported why it stopped. Unexpected errors are logged with their traceback and reported as failed.
A configuration error is an outcome like any other: logged, published to the topic (read on its
own, so a typo elsewhere does not silence it) and it switches the follow-up schedule off, so a
broken configuration is reported once rather than every five minutes.

Every call logs one structured line: ``"cycle finished"`` for a terminal outcome, ``"step taken"``
otherwise, with ``status``, ``action``, ``step`` and ``cluster`` as top-level fields so that a
CloudWatch Logs metric filter can count failures without parsing the message:
``{ $.message = "cycle finished" && ($.status = "failed" || $.status = "refused") }``.
"""

from __future__ import annotations

import os
from typing import Any

from reservations.cluster.config import ConfigError, SchedulerConfig, fallback_config
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
    # For the report of a configuration error; replaced by the validated name below.
    name = os.environ.get("RESERVATIONS_CLUSTER_NAME", "").strip()[:100] or "unknown"
    try:
        config = SchedulerConfig.from_env()
        name = config.cluster_name
        if action == "up":
            config.require_tfc()
        ctx = _context(event)
    except ConfigError as error:
        outcome = Outcome(action, "failed", "config", str(error), name)  # type: ignore[arg-type]
        return _report(fallback_config(name), clients, outcome, logger, dry_run=False)
    try:
        outcome = run_step(action, config, clients, ctx)
    except Exception as error:  # the last line of defence; the traceback goes to the log
        logger.exception("step crashed")
        outcome = Outcome(action, "failed", "crashed", f"{type(error).__name__}: {error}", name)  # type: ignore[arg-type]
    return _report(config, clients, outcome, logger, dry_run=ctx.dry_run)


def _report(
    config: SchedulerConfig, clients: Clients, outcome: Outcome, logger: Any, *, dry_run: bool
) -> dict[str, Any]:
    """Follow-up schedule, SNS and the log line, none of which may hide the step's own outcome."""
    result = outcome.to_dict()
    # Each problem below is logged as an error of its own.
    if not dry_run:
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
    fields = {key: result[key] for key in ("status", "action", "step", "cluster")}
    log("cycle finished" if outcome.terminal else "step taken", extra={**fields, "outcome": result})
    return result
