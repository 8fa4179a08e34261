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

_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
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
    tfc_token_secret_arn: str | None = None
    tfc_client: TfcClientKind = "pytfe"
    notify_topic_arn: str | None = None
    timezone: str = "UTC"
    holidays: frozenset[date] = field(default_factory=frozenset)
    allow_foreign_destroy: bool = False
    followup_schedule: str | None = None
    followup_schedule_group: str = "default"
    queue_timeout_s: int = 1800
    tfc_timeout_s: float = 15.0
    # Targets of the first rebuild run; empty means one full run (see rebuild.py for why two).
    tfc_targets: tuple[str, ...] = ("module.eks",)

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

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, need_cluster: bool = True
    ) -> SchedulerConfig:
        env = os.environ if environ is None else environ
        name = env.get("RESERVATIONS_CLUSTER_NAME", "").strip()
        if need_cluster and not name:
            raise ConfigError("RESERVATIONS_CLUSTER_NAME must be set (the EKS cluster this scheduler owns)")
        if name and not _CLUSTER_NAME.match(name):
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
            tfc_token_secret_arn=secret,
            tfc_client=client,
            notify_topic_arn=topic,
            timezone=timezone,
            holidays=parse_holidays(env.get("RESERVATIONS_HOLIDAYS", "")),
            allow_foreign_destroy=parse_bool(
                "RESERVATIONS_ALLOW_FOREIGN_DESTROY", env.get("RESERVATIONS_ALLOW_FOREIGN_DESTROY", "")
            ),
            followup_schedule=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE", "").strip() or None,
            followup_schedule_group=env.get("RESERVATIONS_FOLLOWUP_SCHEDULE_GROUP", "").strip() or "default",
            queue_timeout_s=parse_int(
                "RESERVATIONS_TFC_QUEUE_TIMEOUT", env.get("RESERVATIONS_TFC_QUEUE_TIMEOUT", ""), 1800
            ),
            tfc_targets=parse_targets(env.get("RESERVATIONS_TFC_TARGETS")),
        )


def parse_targets(raw: str | None) -> tuple[str, ...]:
    """Unset keeps the default cluster target; set but empty asks for one full run."""
    if raw is None:
        return ("module.eks",)
    targets = tuple(part.strip() for part in raw.split(",") if part.strip())
    bad = [t for t in targets if any(c.isspace() for c in t) or t.startswith("-")]
    if bad:
        raise ConfigError(f"RESERVATIONS_TFC_TARGETS has an invalid address: {bad[0]!r}")
    return targets


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
