"""Teardown against moto's server over HTTP: EKS, ELBv2 and EC2 as botocore really talks to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reservations.cluster.config import SKIP_UNTIL_TAG, SchedulerConfig
from reservations.cluster.outcome import Outcome
from reservations.cluster.runner import Clients
from reservations.cluster.steps import StepContext
from reservations.cluster.teardown import Teardown
from tests.cluster.aws_helpers import make_cluster, make_service_load_balancer, mutating, record_calls

# Moto plays EKS, EC2 and ELB through whole teardowns (seconds a test): `make test` runs them, `make check` does not;
# tests/cluster/test_teardown_sequences.py keeps the teardown's order in the fast lane.
pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 23:00 on the 24th in New York


def teardown(aws: Clients, name: str = "study", **config: object) -> Teardown:
    settings = SchedulerConfig(cluster_name=name, timezone="America/New_York", **config)  # type: ignore[arg-type]
    return Teardown(settings, aws.get("eks"), aws.get("elbv2"), aws.get("ec2"))


def run_until_done(step: Teardown, ctx: StepContext, limit: int = 10) -> list[Outcome]:
    outcomes = [step.step(ctx)]
    while not outcomes[-1].terminal and len(outcomes) < limit:
        outcomes.append(step.step(StepContext(trigger=ctx.trigger, phase="follow-up", now=ctx.now)))
    return outcomes


def test_full_teardown_releases_everything_the_cluster_owned(aws: Clients) -> None:
    make_cluster(aws, "study", nodegroups=("general", "spot"), fargate=("coredns",))
    owned = make_service_load_balancer(aws, "study")
    other = make_service_load_balancer(aws, "someone-else")

    outcomes = run_until_done(teardown(aws), StepContext(trigger="schedule", now=NOW))

    assert [o.step for o in outcomes] == ["deleting-nodegroups", "cluster-deleting", "released"]
    assert outcomes[0].details["nodegroups_left"] == 2
    assert sorted(outcomes[0].details["started"]) == ["coredns", "general", "spot"]
    assert outcomes[-1].status == "done"
    eks, elbv2, ec2 = aws.get("eks"), aws.get("elbv2"), aws.get("ec2")
    assert eks.list_clusters()["clusters"] == []
    remaining_lbs = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    assert remaining_lbs == [other["load_balancer"]]
    remaining_tgs = [tg["TargetGroupArn"] for tg in elbv2.describe_target_groups()["TargetGroups"]]
    assert owned["target_group"] not in remaining_tgs
    assert other["target_group"] in remaining_tgs
    groups = {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert owned["security_group"] not in groups
    assert other["security_group"] in groups


def test_rerun_after_teardown_is_a_success_that_changes_nothing(aws: Clients) -> None:
    make_cluster(aws, "study")
    step = teardown(aws)
    run_until_done(step, StepContext(now=NOW))
    calls = record_calls(aws.get("eks"), aws.get("elbv2"), aws.get("ec2"))

    again = step.step(StepContext(now=NOW))

    assert (again.status, again.step) == ("noop", "gone")
    assert again.ok
    assert calls
    assert mutating(calls) == []


def test_cluster_without_the_opt_in_tag_is_refused_and_untouched(aws: Clients) -> None:
    make_cluster(aws, "study", opted_in=False, tags={"reservations/schedule": "disabled"})

    outcome = teardown(aws).step(StepContext(now=NOW))

    assert outcome.status == "refused"
    assert "reservations/schedule=enabled" in outcome.message
    eks = aws.get("eks")
    assert eks.list_clusters()["clusters"] == ["study"]
    assert sorted(eks.list_nodegroups(clusterName="study")["nodegroups"]) == ["general", "spot"]


def test_only_the_configured_cluster_is_touched(aws: Clients) -> None:
    make_cluster(aws, "study")
    make_cluster(aws, "production", nodegroups=("main",), fargate=())

    run_until_done(teardown(aws, "study"), StepContext(now=NOW))

    eks = aws.get("eks")
    assert eks.list_clusters()["clusters"] == ["production"]
    assert eks.list_nodegroups(clusterName="production")["nodegroups"] == ["main"]


def test_dry_run_reports_the_plan_and_makes_no_mutating_call(aws: Clients) -> None:
    make_cluster(aws, "study")
    make_service_load_balancer(aws, "study")
    step = teardown(aws)
    calls = record_calls(aws.get("eks"), aws.get("elbv2"), aws.get("ec2"))

    outcome = step.step(StepContext(dry_run=True, now=NOW))

    assert outcome.dry_run
    assert outcome.status == "noop"
    assert "would delete 2 nodegroups" in outcome.message
    assert "coredns" in outcome.message
    assert "ListNodegroups" in calls
    assert mutating(calls) == []
    assert sorted(aws.get("eks").list_nodegroups(clusterName="study")["nodegroups"]) == ["general", "spot"]


def test_dry_run_after_the_cluster_is_gone_lists_orphans_without_deleting(aws: Clients) -> None:
    owned = make_service_load_balancer(aws, "study")
    calls = record_calls(aws.get("eks"), aws.get("elbv2"), aws.get("ec2"))

    outcome = teardown(aws).step(StepContext(dry_run=True, now=NOW))

    assert "would release 1 load balancers, 1 target groups, 1 security groups" in outcome.message
    assert outcome.details["load_balancers"] == [owned["load_balancer"]]
    assert mutating(calls) == []


def test_skip_until_tag_makes_the_scheduled_teardown_a_noop(aws: Clients) -> None:
    later = (NOW + timedelta(hours=3)).isoformat()
    make_cluster(aws, "study", tags={SKIP_UNTIL_TAG: later})
    calls = record_calls(aws.get("eks"))

    outcome = teardown(aws).step(StepContext(trigger="schedule", now=NOW))

    assert (outcome.status, outcome.step) == ("noop", "skipped")
    assert mutating(calls) == []
    assert aws.get("eks").list_clusters()["clusters"] == ["study"]


def test_expired_skip_tag_and_manual_runs_ignore_it(aws: Clients) -> None:
    make_cluster(aws, "study", tags={SKIP_UNTIL_TAG: (NOW - timedelta(minutes=1)).isoformat()})
    expired = teardown(aws).step(StepContext(trigger="schedule", now=NOW))
    assert expired.step == "deleting-nodegroups"

    make_cluster(aws, "late", tags={SKIP_UNTIL_TAG: (NOW + timedelta(days=1)).isoformat()})
    manual = teardown(aws, "late").step(StepContext(trigger="manual", now=NOW))
    assert manual.step == "deleting-nodegroups"


def test_unreadable_skip_tag_is_refused_rather_than_guessed(aws: Clients) -> None:
    make_cluster(aws, "study", tags={SKIP_UNTIL_TAG: "tomorrow-ish"})

    outcome = teardown(aws).step(StepContext(trigger="schedule", now=NOW))

    assert outcome.status == "refused"
    assert "tomorrow-ish" in outcome.message


def test_holiday_in_the_schedule_time_zone_is_a_noop(aws: Clients) -> None:
    make_cluster(aws, "study")
    # NOW is the 25th in UTC but still the 24th in New York.
    step = teardown(aws, holidays=frozenset({date(2026, 11, 24)}))
    calls = record_calls(aws.get("eks"))

    outcome = step.step(StepContext(trigger="schedule", now=NOW))

    assert (outcome.status, outcome.step) == ("noop", "holiday")
    assert calls == []
    follow_up = step.step(StepContext(trigger="schedule", phase="follow-up", now=NOW))
    assert follow_up.step == "deleting-nodegroups"
    not_a_holiday = teardown(aws, holidays=frozenset({date(2026, 11, 25)}))
    assert not_a_holiday.step(StepContext(trigger="schedule", now=NOW)).step != "holiday"
