"""Wiring shared by the Lambda functions and the CLI: AWS clients, the token, notifications, follow-ups.

Clients are created once per process (warm Lambda invocations reuse them) with short timeouts and
botocore's standard retries, so a slow AWS answer costs seconds, not the function's whole timeout.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from reservations.cluster.config import SchedulerConfig
from reservations.cluster.outcome import Outcome
from reservations.cluster.rebuild import Rebuild
from reservations.cluster.steps import StepContext, error_code
from reservations.cluster.teardown import Teardown
from reservations.cluster.tfc import TerraformCloud, TfcError
from reservations.cluster.tfc_factory import make_client


class TokenCache:
    """The Terraform Cloud token, read from Secrets Manager once and kept in memory only.

    The value is never logged, printed, nor put in an outcome; errors name the secret, not its value.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, secrets: Any, arn: str) -> str:
        from botocore.exceptions import ClientError

        with self._lock:
            if arn in self._tokens:
                return self._tokens[arn]
            try:
                raw = secrets.get_secret_value(SecretId=arn)
            except ClientError as error:
                raise TfcError(
                    f"cannot read the Terraform Cloud token secret ({error_code(error)})"
                ) from None
            value = str(raw.get("SecretString") or "").strip()
            if value.startswith("{"):
                # A JSON secret: {"token": "..."} is accepted too.
                try:
                    value = str(json.loads(value).get("token") or "")
                except (ValueError, AttributeError):
                    value = ""
            if not value:
                raise TfcError("the Terraform Cloud token secret is empty")
            self._tokens[arn] = value
            return value

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


TOKENS = TokenCache()


@dataclass
class Clients:
    """boto3 clients, made lazily so the teardown never builds a Secrets Manager client it won't use."""

    endpoint_url: str | None = None
    region: str | None = None
    _made: dict[str, Any] = field(default_factory=dict)

    def get(self, service: str) -> Any:
        if service not in self._made:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=5, read_timeout=20, retries={"mode": "standard", "max_attempts": 3}
            )
            kwargs: dict[str, Any] = {"config": config}
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            # boto3 of our pin reads only AWS_DEFAULT_REGION; Lambda and most docs set AWS_REGION.
            region = self.region or os.environ.get("AWS_REGION")
            if region:
                kwargs["region_name"] = region
            self._made[service] = boto3.client(service, **kwargs)
        return self._made[service]


def tfc_connector(config: SchedulerConfig, clients: Clients, token: str | None = None) -> Any:
    """A factory for the configured adapter; the token is read only when a call needs it."""

    def connect() -> TerraformCloud:
        config.require_tfc()
        secret = token
        if secret is None:
            if not config.tfc_token_secret_arn:
                raise TfcError("RESERVATIONS_TFC_TOKEN_SECRET_ARN must be set to reach Terraform Cloud")
            secret = TOKENS.get(clients.get("secretsmanager"), config.tfc_token_secret_arn)
        return make_client(
            config.tfc_client,
            url=config.tfc_url,
            organization=config.tfc_organization or "",
            token=secret,
            timeout=config.tfc_timeout_s,
        )

    return connect


def run_step(
    action: str, config: SchedulerConfig, clients: Clients, ctx: StepContext, token: str | None = None
) -> Outcome:
    if action == "down":
        return Teardown(config, clients.get("eks"), clients.get("elbv2"), clients.get("ec2")).step(ctx)
    if action == "up":
        return Rebuild(config, clients.get("eks"), tfc_connector(config, clients, token)).step(ctx)
    raise ValueError(f"unknown action {action!r}")


def notify(config: SchedulerConfig, clients: Clients, outcome: Outcome) -> bool:
    """Publishes a finished cycle (success, no-op, refusal, failure); steps in progress are only logged."""
    if not config.notify_topic_arn or not outcome.terminal:
        return False
    verb = {"down": "teardown", "up": "rebuild"}.get(outcome.action, outcome.action)
    subject = f"[{outcome.status}] {outcome.cluster} {verb}"
    clients.get("sns").publish(
        TopicArn=config.notify_topic_arn,
        Subject=subject[:100],
        Message=json.dumps(outcome.to_dict(), indent=2, sort_keys=True, default=str),
        MessageAttributes={
            "status": {"DataType": "String", "StringValue": outcome.status},
            "action": {"DataType": "String", "StringValue": outcome.action},
        },
    )
    return True


def set_followup(config: SchedulerConfig, clients: Clients, enabled: bool) -> bool:
    """Turns the follow-up schedule on when a cycle starts and off when it finishes.

    EventBridge Scheduler's UpdateSchedule replaces the whole definition, so the current one is
    read and written back with only ``State`` changed. Returns whether anything changed.
    """
    if not config.followup_schedule:
        return False
    scheduler = clients.get("scheduler")
    current = scheduler.get_schedule(Name=config.followup_schedule, GroupName=config.followup_schedule_group)
    state = "ENABLED" if enabled else "DISABLED"
    if current.get("State") == state:
        return False
    keep = (
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "FlexibleTimeWindow",
        "Target",
        "Description",
        "StartDate",
        "EndDate",
        "KmsKeyArn",
        "ActionAfterCompletion",
    )
    update = {key: current[key] for key in keep if current.get(key) is not None}
    scheduler.update_schedule(
        Name=config.followup_schedule, GroupName=config.followup_schedule_group, State=state, **update
    )
    return True
