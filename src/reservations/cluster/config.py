"""Scheduler settings, read from the environment once and validated before any AWS call.

A Lambda with a typo in its configuration must fail loudly on its first invocation with a message
that names the variable, rather than half-acting on a default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TfcClientKind = Literal["pytfe", "terrasnek"]
TFC_CLIENTS: tuple[TfcClientKind, ...] = ("pytfe", "terrasnek")
DEFAULT_TFC_URL = "https://app.terraform.io"
OPT_IN_TAG = "reservations/schedule"
OPT_IN_VALUE = "enabled"
SKIP_UNTIL_TAG = "reservations/schedule-skip-until"

_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9\-_]{0,99}")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class SchedulerConfig:
    cluster_name: str
    tfc_url: str = DEFAULT_TFC_URL
    tfc_organization: str | None = None
    tfc_workspace: str | None = None
    # The edge's own workspace (nginx objects and their DNS record), run once the cluster is back.
    tfc_edge_workspace: str | None = None
    tfc_token_secret_arn: str | None = None
    tfc_client: TfcClientKind = "pytfe"
    notify_topic_arn: str | None = None
    timezone: str = "UTC"
    holidays: frozenset[date] = field(default_factory=frozenset)
    allow_foreign_changes: bool = False
    followup_schedule: str | None = None
    followup_schedule_group: str = "default"
    queue_timeout_s: int = 1800
    tfc_timeout_s: float = 15.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_overrides(self, **changes: object) -> SchedulerConfig:
        """CLI flags win over the environment; ``None`` means "not given"."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def require_tfc(self) -> None:
        """The rebuild needs Terraform Cloud settings; the teardown does not."""
        missing = [
            name
            for name, value in (
                ("RESERVATIONS_TFC_ORGANIZATION", self.tfc_organization),
                ("RESERVATIONS_TFC_WORKSPACE", self.tfc_workspace),
            )
            if not value
        ]
        if missing:
            raise ConfigError(f"{', '.join(missing)} must be set to rebuild the cluster")
        if self.tfc_edge_workspace and self.tfc_edge_workspace == self.tfc_workspace:
            raise ConfigError(
                "RESERVATIONS_TFC_EDGE_WORKSPACE names the cluster's own workspace; give the edge's"
                " workspace, or leave it empty when there is no edge to rebuild"
            )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, need_cluster: bool = True
    ) -> SchedulerConfig:
        env = os.environ if environ is None else environ
        reject_retired(env)
        name = env.get("RESERVATIONS_CLUSTER_NAME", "").strip()
        if need_cluster and not name:
            raise ConfigError("RESERVATIONS_CLUSTER_NAME must be set (the EKS cluster this scheduler owns)")
        if name and not _CLUSTER_NAME.fullmatch(name):
            raise ConfigError(f"RESERVATIONS_CLUSTER_NAME {name!r} is not a valid EKS cluster name")
        url = env.get("RESERVATIONS_TFC_URL", "").strip() or DEFAULT_TFC_URL
        if not url.startswith(("https://", "http://")):
            raise ConfigError(f"RESERVATIONS_TFC_URL must be an http(s) URL, not {url!r}")
        client = env.get("RESERVATIONS_TFC_CLIENT", "").strip().lower() or "pytfe"
        if client not in TFC_CLIENTS:
            raise ConfigError(f"RESERVATIONS_TFC_CLIENT must be pytfe or terrasnek, not {client!r}")
        timezone = env.get("RESERVATIONS_SCHEDULE_TIMEZONE", "").strip() or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"RESERVATIONS_SCHEDULE_TIMEZONE {timezone!r} is not an IANA time zone"
            ) from None
        secret = env.get("RESERVATIONS_TFC_TOKEN_SECRET_ARN", "").strip() or None
        if secret and not secret.startswith("arn:"):
            raise ConfigError("RESERVATIONS_TFC_TOKEN_SECRET_ARN must be a Secrets Manager ARN")
        topic = env.get("RESERVATIONS_NOTIFY_TOPIC_ARN", "").strip() or None
        if topic and not topic.startswith("arn:"):
            raise ConfigError("RESERVATIONS_NOTIFY_TOPIC_ARN must be an SNS topic ARN")
        return cls(
            cluster_name=name,
            tfc_url=url.rstrip("/"),
            tfc_organization=env.get("RESERVATIONS_TFC_ORGANIZATION", "").strip() or None,
            tfc_workspace=env.get("RESERVATIONS_TFC_WORKSPACE", "").strip() or None,
            tfc_edge_workspace=env.get("RESERVATIONS_TFC_EDGE_WORKSPACE", "").strip() or None,
            tfc_token_secret_arn=secret,
            tfc_client=client,
            notify_topic_arn=topic,
            timezone=timezone,
            holidays=parse_holidays(env.get("RESERVATIONS_HOLIDAYS", "")),
            allow_foreign_changes=parse_allow_foreign_changes(env),
            followup_schedule=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE", "").strip() or None,
            followup_schedule_group=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE_GROUP", "").strip() or "default",
            queue_timeout_s=parse_int(
                "RESERVATIONS_TFC_QUEUE_TIMEOUT", env.get("RESERVATIONS_TFC_QUEUE_TIMEOUT", ""), 1800
            ),
        )


def fallback_config(cluster_name: str, environ: Mapping[str, str] | None = None) -> SchedulerConfig:
    """What can still be read when the configuration is invalid: enough to report the error.

    Only the topic and the follow-up schedule, each taken only if it looks right on its own.
    """
    env = os.environ if environ is None else environ
    topic = env.get("RESERVATIONS_NOTIFY_TOPIC_ARN", "").strip()
    return SchedulerConfig(
        cluster_name=cluster_name,
        notify_topic_arn=topic if topic.startswith("arn:") else None,
        followup_schedule=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE", "").strip() or None,
        followup_schedule_group=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE_GROUP", "").strip() or "default",
    )


def reject_retired(env: Mapping[str, str]) -> None:
    """A setting that no longer does anything fails loudly instead of being silently ignored."""
    if env.get("RESERVATIONS_TFC_TARGETS", "").strip():
        raise ConfigError(
            "RESERVATIONS_TFC_TARGETS is no longer used: the cluster workspace is applied whole, and"
            " the edge has its own workspace (RESERVATIONS_TFC_EDGE_WORKSPACE); unset it"
        )


def parse_allow_foreign_changes(env: Mapping[str, str]) -> bool:
    """``RESERVATIONS_ALLOW_FOREIGN_CHANGES``; the older ``..._DESTROY`` name is read when it is unset.

    The guard used to look at destroys only, hence the old name; deployments that still set it keep
    their meaning (false: refuse) until their configuration is renamed.
    """
    for name in ("RESERVATIONS_ALLOW_FOREIGN_CHANGES", "RESERVATIONS_ALLOW_FOREIGN_DESTROY"):
        raw = env.get(name, "")
        if raw.strip():
            return parse_bool(name, raw)
    return False


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def parse_int(name: str, raw: str, default: int) -> int:
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def parse_holidays(raw: str) -> frozenset[date]:
    days: set[date] = set()
    for item in raw.split(","):
        text = item.strip()
        if not text:
            continue
        try:
            days.add(date.fromisoformat(text))
        except ValueError:
            raise ConfigError(f"RESERVATIONS_HOLIDAYS: {text!r} is not a YYYY-MM-DD date") from None
    return frozenset(days)
