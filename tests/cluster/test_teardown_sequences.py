"""The states AWS shows and moto does not: DELETING over several calls, ResourceInUse, throttling.

botocore's Stubber scripts each AWS answer, and the test drives the teardown one call at a time,
as the follow-up schedule would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from reservations.cluster.config import OPT_IN_TAG, SchedulerConfig
from reservations.cluster.steps import StepContext
from reservations.cluster.teardown import Teardown

NAME = "study"
ARN = f"arn:aws:eks:us-east-1:123456789012:cluster/{NAME}"
CTX = StepContext(phase="follow-up", now=datetime(2026, 11, 25, 4, 0, tzinfo=UTC))


class Stubs:
    def __init__(self) -> None:
        self.eks = boto3.client("eks", region_name="us-east-1")
        self.elbv2 = boto3.client("elbv2", region_name="us-east-1")
        self.ec2 = boto3.client("ec2", region_name="us-east-1")
        self.stubs = {name: Stubber(getattr(self, name)) for name in ("eks", "elbv2", "ec2")}

    def add(
        self, service: str, operation: str, response: dict[str, Any], params: dict[str, Any] | None = None
    ) -> None:
        self.stubs[service].add_response(operation, response, params)

    def error(self, service: str, operation: str, code: str, status: int = 400) -> None:
        self.stubs[service].add_client_error(operation, code, f"{code} (scripted)", status)

    def cluster(self, status: str, **extra: Any) -> None:
        cluster = {"name": NAME, "arn": ARN, "status": status, "tags": {OPT_IN_TAG: "enabled"}, **extra}
        self.add("eks", "describe_cluster", {"cluster": cluster}, {"name": NAME})

    def children(self, nodegroups: list[str], profiles: list[str]) -> None:
        self.add("eks", "list_nodegroups", {"nodegroups": nodegroups}, {"clusterName": NAME})
        self.add("eks", "list_fargate_profiles", {"fargateProfileNames": profiles}, {"clusterName": NAME})

    def nodegroup(self, name: str, status: str) -> None:
        self.add(
            "eks",
            "describe_nodegroup",
            {"nodegroup": {"nodegroupName": name, "clusterName": NAME, "status": status}},
            {"clusterName": NAME, "nodegroupName": name},
        )

    def profile(self, name: str, status: str) -> None:
        self.add(
            "eks",
            "describe_fargate_profile",
            {"fargateProfile": {"fargateProfileName": name, "clusterName": NAME, "status": status}},
            {"clusterName": NAME, "fargateProfileName": name},
        )

    def nothing_left_behind(self) -> None:
        self.add("ec2", "describe_security_groups", {"SecurityGroups": []})
        self.add("elbv2", "describe_load_balancers", {"LoadBalancers": []})
        self.add("elbv2", "describe_target_groups", {"TargetGroups": []})

    def teardown(self) -> Teardown:
        return Teardown(SchedulerConfig(cluster_name=NAME), self.eks, self.elbv2, self.ec2)


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    s = Stubs()
    for stub in s.stubs.values():
        stub.activate()
    yield s
    for stub in s.stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def test_deleting_lasts_several_calls_and_each_call_advances_one_step(stubs: Stubs) -> None:
    step = stubs.teardown()
    # Call 1: one nodegroup is deleted now, the other is already DELETING.
    stubs.cluster("ACTIVE")
    stubs.children(["general", "spot"], [])
    stubs.nodegroup("general", "ACTIVE")
    stubs.add("eks", "delete_nodegroup", {"nodegroup": {}}, {"clusterName": NAME, "nodegroupName": "general"})
    stubs.nodegroup("spot", "DELETING")
    first = step.step(CTX)
    assert (first.status, first.step) == ("in_progress", "deleting-nodegroups")
    assert first.details["started"] == ["general"]
    assert first.details["nodegroups_left"] == 2

    # Calls 2 and 3: both still DELETING; nothing new is started.
    for _ in range(2):
        stubs.cluster("ACTIVE")
        stubs.children(["general", "spot"], [])
        stubs.nodegroup("general", "DELETING")
        stubs.nodegroup("spot", "DELETING")
        waiting = step.step(CTX)
        assert waiting.details["started"] == []
        assert waiting.message.startswith("waiting for 2 nodegroups")

    # Call 4: one left.
    stubs.cluster("ACTIVE")
    stubs.children(["spot"], [])
    stubs.nodegroup("spot", "DELETING")
    assert step.step(CTX).details["nodegroups_left"] == 1

    # Call 5: none left, the cluster deletion starts.
    stubs.cluster("ACTIVE")
    stubs.children([], [])
    stubs.add("eks", "delete_cluster", {"cluster": {"name": NAME}}, {"name": NAME})
    assert step.step(CTX).step == "cluster-deleting"

    # Calls 6 and 7: the cluster is DELETING.
    for _ in range(2):
        stubs.cluster("DELETING")
        assert step.step(CTX).step == "cluster-deleting"

    # Call 8: gone, nothing left behind.
    stubs.error("eks", "describe_cluster", "ResourceNotFoundException", 404)
    stubs.nothing_left_behind()
    last = step.step(CTX)
    assert (last.status, last.step) == ("done", "gone")


def test_fargate_profiles_are_deleted_one_at_a_time(stubs: Stubs) -> None:
    stubs.cluster("ACTIVE")
    stubs.children([], ["coredns", "apps"])
    stubs.profile("coredns", "ACTIVE")
    stubs.add("eks", "delete_fargate_profile", {"fargateProfile": {}})
    stubs.profile("apps", "ACTIVE")
    stubs.error("eks", "delete_fargate_profile", "ResourceInUseException", 409)

    outcome = stubs.teardown().step(CTX)

    assert outcome.status == "in_progress"
    assert outcome.details["started"] == ["coredns"]
    assert outcome.details["fargate_profiles_left"] == 2


def test_cluster_in_use_when_deleting_is_a_wait_not_a_failure(stubs: Stubs) -> None:
    stubs.cluster("UPDATING")
    stubs.children([], [])
    stubs.error("eks", "delete_cluster", "ResourceInUseException", 409)

    outcome = stubs.teardown().step(CTX)

    assert (outcome.status, outcome.step) == ("in_progress", "cluster-busy")


@pytest.mark.parametrize("code", ["ThrottlingException", "TooManyRequestsException"])
def test_throttling_pauses_until_the_next_call(stubs: Stubs, code: str) -> None:
    step = stubs.teardown()
    stubs.error("eks", "describe_cluster", code, 429)
    throttled = step.step(CTX)
    assert (throttled.status, throttled.step) == ("in_progress", "throttled")
    assert throttled.ok

    stubs.cluster("ACTIVE")
    stubs.children(["general"], [])
    stubs.nodegroup("general", "ACTIVE")
    stubs.error("eks", "delete_nodegroup", code, 429)
    assert step.step(CTX).step == "throttled"


def test_deletion_protection_is_refused_and_never_switched_off(stubs: Stubs) -> None:
    stubs.cluster("ACTIVE", deletionProtection=True)

    outcome = stubs.teardown().step(CTX)

    assert outcome.status == "refused"
    assert "deletion protection" in outcome.message


def test_other_aws_errors_fail_with_the_code(stubs: Stubs) -> None:
    stubs.error("eks", "describe_cluster", "AccessDeniedException", 403)

    outcome = stubs.teardown().step(CTX)

    assert (outcome.status, outcome.details["code"]) == ("failed", "AccessDeniedException")
    assert not outcome.ok


def test_security_group_still_in_use_is_retried_next_call(stubs: Stubs) -> None:
    step = stubs.teardown()
    tag = [{"Key": f"kubernetes.io/cluster/{NAME}", "Value": "owned"}]
    stubs.error("eks", "describe_cluster", "ResourceNotFoundException", 404)
    stubs.add("ec2", "describe_security_groups", {"SecurityGroups": [{"GroupId": "sg-1", "Tags": tag}]})
    stubs.add("elbv2", "describe_load_balancers", {"LoadBalancers": []})
    stubs.add("elbv2", "describe_target_groups", {"TargetGroups": []})
    stubs.error("ec2", "delete_security_group", "DependencyViolation")
    first = step.step(CTX)
    assert (first.status, first.details["left"]) == ("in_progress", ["sg-1"])

    stubs.error("eks", "describe_cluster", "ResourceNotFoundException", 404)
    stubs.add("ec2", "describe_security_groups", {"SecurityGroups": [{"GroupId": "sg-1", "Tags": tag}]})
    stubs.add("elbv2", "describe_load_balancers", {"LoadBalancers": []})
    stubs.add("elbv2", "describe_target_groups", {"TargetGroups": []})
    stubs.add("ec2", "delete_security_group", {}, {"GroupId": "sg-1"})
    assert step.step(CTX).status == "done"
