"""Read-only status report and the skip-until tag, for ``reservations cluster status|skip``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from reservations.cluster.config import OPT_IN_TAG, OPT_IN_VALUE, SKIP_UNTIL_TAG, SchedulerConfig
from reservations.cluster.overrides import BadSkipTag, is_holiday, parse_skip_until
from reservations.cluster.runner import Clients
from reservations.cluster.steps import error_code
from reservations.cluster.teardown import Teardown


def describe(config: SchedulerConfig, clients: Clients, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    teardown = Teardown(config, clients.get("eks"), clients.get("elbv2"), clients.get("ec2"))
    cluster = teardown.describe()
    report: dict[str, Any] = {
        "cluster": config.cluster_name,
        "state": "absent" if cluster is None else cluster.get("status"),
        "holiday_today": is_holiday(now, config.zone, config.holidays),
    }
    if cluster is not None:
        tags: dict[str, str] = cluster.get("tags") or {}
        report["opted_in"] = tags.get(OPT_IN_TAG) == OPT_IN_VALUE
        report["deletion_protection"] = bool(cluster.get("deletionProtection"))
        report["skip_until"] = tags.get(SKIP_UNTIL_TAG)
        report["nodegroups"] = teardown._nodegroups()
        report["fargate_profiles"] = teardown._fargate_profiles()
    orphans = teardown.orphans()
    report["load_balancers"] = len(orphans["load_balancers"])
    report["target_groups"] = len(orphans["target_groups"])
    report["security_groups"] = len(orphans["security_groups"])
    return report


def set_skip(
    config: SchedulerConfig, clients: Clients, until: str | None, now: datetime | None = None
) -> str:
    """Sets (or with ``None`` removes) the skip-until tag; the value is stored as a UTC timestamp."""
    eks = clients.get("eks")
    try:
        arn = eks.describe_cluster(name=config.cluster_name)["cluster"]["arn"]
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            raise LookupError(f"cluster {config.cluster_name} not found") from None
        raise
    if until is None:
        eks.untag_resource(resourceArn=arn, tagKeys=[SKIP_UNTIL_TAG])
        return f"scheduled teardowns of {config.cluster_name} resume"
    try:
        moment = parse_skip_until(until, config.zone)
    except BadSkipTag as error:
        raise ValueError(f"--until: {error}") from None
    if moment <= (now or datetime.now(UTC)):
        raise ValueError(f"--until {until} is in the past")
    value = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    eks.tag_resource(resourceArn=arn, tags={SKIP_UNTIL_TAG: value})
    local = moment.astimezone(config.zone).strftime("%Y-%m-%d %H:%M %Z")
    return f"scheduled teardowns of {config.cluster_name} skipped until {local} ({value})"
