"""The rebuild against the fake Terraform Cloud runs API over real HTTP, one workspace (no edge
configured); test_rebuild_two_workspaces.py covers cluster then edge.

The rebuild's decisions reach Terraform Cloud only through the ``TerraformCloud`` protocol, so they
run once, through the default client (the ``kind`` fixture).  What each SDK adapter translates
(workspaces and their locks, runs and their status, confirmability and queue position, plans and
their JSON, rate limits, timeouts, unknown workspaces) runs through both clients (``@each_sdk``):
pytfe and terrasnek must answer the protocol alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reservations.cluster.config import SchedulerConfig
from reservations.cluster.rebuild import Rebuild
from reservations.cluster.runs import RUN_MARKER
from reservations.cluster.steps import StepContext
from reservations.cluster.tfc import TerraformCloud
from tests.cluster.fake_tfc import TOKEN, FakeTerraformCloud


class ScriptedEks:
    """EKS as the rebuild sees it: absent until Terraform has created the cluster."""

    def __init__(self, status: str | None = None) -> None:
        self.status = status

    def describe_cluster(self, name: str) -> dict[str, Any]:
        if self.status is None:
            error = {
                "Error": {
                    "Code": "ResourceNotFoundException",
                    "Message": f"No cluster found for name: {name}.",
                }
            }
            raise ClientError(error, "DescribeCluster")
        return {"cluster": {"name": name, "status": self.status}}


@pytest.fixture
def kind() -> str:
    """The client the rebuild's decisions run through: the default (they do not depend on the SDK)."""
    return str(SchedulerConfig.__dataclass_fields__["tfc_client"].default)


# Overrides ``kind`` (and so ``h``) for a test of what the SDK adapters translate.
each_sdk = pytest.mark.parametrize("kind", ["pytfe", "terrasnek"])


class Harness:
    def __init__(self, fake: FakeTerraformCloud, kind: str, **config: Any) -> None:
        self.fake = fake
        self.kind = kind
        self.eks = ScriptedEks()
        self.sleeps: list[float] = []
        self.timeout = 2.0
        settings = {
            "tfc_organization": "acme",
            "tfc_workspace": "study-cluster",
            "tfc_url": fake.url,
        } | config
        self.config = SchedulerConfig(cluster_name="study", tfc_client=kind, **settings)  # type: ignore[arg-type]
        self.rebuild = Rebuild(self.config, self.eks, self.connect)

    def connect(self) -> TerraformCloud:
        common: dict[str, Any] = {
            "url": self.fake.url,
            "organization": "acme",
            "token": TOKEN,
            "timeout": self.timeout,
            "sleep": self.sleeps.append,
            "backoff_base": 0.01,
        }
        if self.kind == "pytfe":
            from reservations.cluster.tfc_pytfe import PytfeCloud

            return PytfeCloud(**common)
        from reservations.cluster.tfc_terrasnek import TerrasnekCloud

        return TerrasnekCloud(**common)

    def step(self, phase: str = "follow-up", now: datetime | None = None, dry_run: bool = False) -> Any:
        ctx = StepContext(trigger="schedule", phase=phase, now=now or datetime.now(UTC), dry_run=dry_run)  # type: ignore[arg-type]
        return self.rebuild.step(ctx)


@pytest.fixture
def h(tfc: FakeTerraformCloud, kind: str) -> Harness:
    """The cluster workspace alone: the per-run guarantees."""
    tfc.add_workspace("study-cluster")
    return Harness(tfc, kind)


@each_sdk
def test_run_is_created_planned_applied_and_followed_to_done(h: Harness) -> None:
    created = h.step("start")
    assert (created.status, created.step) == ("in_progress", "run-created")
    run = h.fake.run(created.details["run_id"])
    assert run.message.startswith(RUN_MARKER)
    assert "schedule" in run.message

    assert h.step().step == "run-pending"
    h.fake.tick(2)
    assert h.step().step == "run-planning"
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0
    h.fake.tick()
    applying = h.step()
    assert (applying.step, applying.message) == (
        "applying",
        f"applying run {run.id} in study-cluster (+12 ~0 -0)",
    )
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 1
    h.fake.tick(3)
    h.eks.status = "ACTIVE"
    done = h.step()
    assert (done.status, done.step) == ("done", "up")
    assert h.fake.calls("POST", "/api/v2/runs") == 1
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 1
    assert run.target_addrs == []  # the whole workspace, never a targeted run


@each_sdk
def test_auto_apply_workspace_is_followed_never_confirmed(tfc: FakeTerraformCloud, kind: str) -> None:
    tfc.add_workspace("study-cluster", auto_apply=True)
    h = Harness(tfc, kind)
    h.step("start")
    for _ in range(3):
        assert h.step().status == "in_progress"
        tfc.tick()
    h.eks.status = "ACTIVE"
    assert h.step().status == "done"
    assert [r.target_addrs for r in tfc.runs] == [[]]
    assert tfc.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


def test_an_active_run_started_by_someone_else_means_no_duplicate(h: Harness) -> None:
    ws = next(iter(h.fake.workspaces.values()))
    other = h.fake.add_run(ws, "Triggered via UI", ["applying"])

    outcome = h.step("start")

    assert (outcome.status, outcome.details["run_id"]) == ("noop", other.id)
    assert "not starting another" in outcome.message
    assert h.fake.calls("POST", "/api/v2/runs") == 0


def test_a_second_start_while_our_run_is_active_does_not_start_another(h: Harness) -> None:
    first = h.step("start")
    second = h.step("start")
    assert second.details["run_id"] == first.details["run_id"]
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_destroy_heavy_plan_is_refused_and_left_for_review(h: Harness) -> None:
    h.fake.plan_counts = {"additions": 3, "changes": 1, "destructions": 7}
    h.fake.script = ["planned"]
    h.step("start")

    refused = h.step()

    assert (refused.status, refused.step) == ("refused", "foreign-changes")
    assert "would change 7 resources outside the cluster's (+3 ~1 -7)" in refused.message
    assert "aws_s3_bucket.b0 (delete), aws_s3_bucket.b1 (delete)" in refused.message
    assert "and 2 more" in refused.message
    assert len(refused.details["foreign_changes"]) == 7
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


@pytest.mark.parametrize(
    ("address", "kind_", "actions"),
    [
        ("aws_s3_bucket.logs", "aws_s3_bucket", ["create"]),
        ("aws_iam_role.ci", "aws_iam_role", ["update"]),
        ("module.eks.aws_iam_role.node", "aws_iam_role", ["delete", "create"]),
        ("module.edge.kubernetes_deployment_v1.this", "kubernetes_deployment_v1", ["create"]),
        ("aws_route53_record.edge", "aws_route53_record", ["update"]),
        ("aws_kms_key.this", "aws_kms_key", ["forget"]),
        # A 443 rule anywhere but on the cluster's own security group is not the cluster's.
        ("aws_vpc_security_group_ingress_rule.db", "aws_vpc_security_group_ingress_rule", ["create"]),
    ],
)
def test_creating_or_changing_anything_outside_the_cluster_is_refused(
    h: Harness, address: str, kind_: str, actions: list[str]
) -> None:
    """Not only destroys: a create, update or replace outside the cluster's set is someone else's change."""
    h.fake.plan_counts = {"additions": 2, "changes": 1, "destructions": 0}
    h.fake.resource_changes = [
        {"address": "aws_eks_cluster.this", "type": "aws_eks_cluster", "change": {"actions": ["create"]}},
        {"address": address, "type": kind_, "change": {"actions": actions}},
    ]
    h.fake.script = ["planned"]
    h.step("start")

    refused = h.step()

    assert (refused.status, refused.step) == ("refused", "foreign-changes")
    assert refused.details["foreign_changes"] == [address]
    assert f"{address} ({'/'.join(actions)})" in refused.message
    assert "RESERVATIONS_ALLOW_FOREIGN_CHANGES" in refused.message
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


def test_recreating_only_what_died_with_the_cluster_is_applied(h: Harness) -> None:
    replace = ["delete", "create"]
    h.fake.plan_counts = {"additions": 4, "changes": 0, "destructions": 2}
    h.fake.resource_changes = [
        {
            "address": "module.eks.aws_eks_cluster.this",
            "type": "aws_eks_cluster",
            "change": {"actions": ["create"]},
        },
        {
            "address": 'module.eks.aws_eks_addon.this["coredns"]',
            "type": "aws_eks_addon",
            "change": {"actions": replace},
        },
        {
            "address": "module.eks.aws_iam_openid_connect_provider.this",
            "type": "aws_iam_openid_connect_provider",
            "change": {"actions": replace},
        },
        {
            "address": 'module.eks.aws_vpc_security_group_ingress_rule.endpoint["sg-0123"]',
            "type": "aws_vpc_security_group_ingress_rule",
            "change": {"actions": ["create"]},
        },
        {"address": "aws_vpc.main", "type": "aws_vpc", "change": {"actions": ["no-op"]}},
        {"address": "data.aws_partition.current", "type": "aws_partition", "change": {"actions": ["read"]}},
    ]
    h.fake.script = ["planned"]
    h.step("start")

    assert h.step().step == "applying"
    assert h.fake.calls("GET", r"/_blobs/plan-json/.*") == 1


@each_sdk
def test_changing_plan_without_its_json_is_refused(h: Harness) -> None:
    h.fake.plan_counts = {"additions": 3, "changes": 0, "destructions": 0}
    h.fake.json_output = False
    h.fake.script = ["planned"]
    h.step("start")

    refused = h.step()

    assert (refused.status, refused.step) == ("refused", "plan-unreadable")
    assert "aws_eks_*" in refused.message
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


def test_foreign_changes_are_applied_when_explicitly_allowed(tfc: FakeTerraformCloud, kind: str) -> None:
    tfc.add_workspace("study-cluster")
    tfc.plan_counts = {"additions": 3, "changes": 0, "destructions": 2}
    tfc.script = ["cost_estimated"]
    h = Harness(tfc, kind, allow_foreign_changes=True)
    h.step("start")
    assert h.step().step == "applying"


def test_planned_and_finished_is_done_once_the_cluster_is_there(h: Harness) -> None:
    h.fake.script = ["planning", "planned_and_finished"]
    h.step("start")
    h.fake.tick()
    h.eks.status = "ACTIVE"
    done = h.step()
    assert (done.status, done.step) == ("done", "up")
    assert "planned_and_finished" in done.message


@pytest.mark.parametrize(
    ("final", "status", "step"),
    [
        ("planned_and_finished", "failed", "cluster-missing"),  # no changes, yet no cluster
        ("errored", "failed", "errored"),
        ("discarded", "failed", "discarded"),
        ("canceled", "failed", "canceled"),
    ],
)
def test_finished_runs_are_reported_as_clear_outcomes(h: Harness, final: str, status: str, step: str) -> None:
    h.fake.script = ["planning", final]
    h.step("start")
    h.fake.tick()

    outcome = h.step()
    again = h.step()  # a later follow-up reports the same, and starts nothing

    assert (outcome.status, outcome.step) == (status, step)
    assert final in outcome.message
    assert (again.status, again.step) == (status, step)
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_policy_soft_failure_is_reported_not_applied(h: Harness) -> None:
    h.fake.script = ["policy_soft_failed"]
    h.step("start")
    outcome = h.step()
    assert (outcome.status, outcome.step) == ("failed", "policy_soft_failed")
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


@each_sdk
def test_apply_waits_until_the_run_is_confirmable(h: Harness) -> None:
    h.fake.script = ["policy_checking", "policy_checked"]
    run_id = h.step("start").details["run_id"]
    assert h.step().step == "run-policy_checking"
    h.fake.tick()
    h.fake.run(run_id).confirmable = False  # post-plan checks still running
    assert h.step().step == "checks-running"
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0
    h.fake.run(run_id).confirmable = None
    assert h.step().step == "applying"


@each_sdk
def test_locked_workspace_is_a_clear_refusal(tfc: FakeTerraformCloud, kind: str) -> None:
    tfc.add_workspace("study-cluster", locked=True, locked_by="users")
    outcome = Harness(tfc, kind).step("start")
    assert (outcome.status, outcome.step) == ("refused", "workspace-locked")
    assert "locked by users" in outcome.message
    assert tfc.calls("POST", "/api/v2/runs") == 0


@each_sdk
def test_rate_limits_are_retried_with_backoff(h: Harness) -> None:
    h.fake.throttle_next = 2
    h.fake.retry_after = "0.05"

    outcome = h.step("start")

    assert outcome.step == "run-created"
    assert h.sleeps == [0.05, 0.05]


@each_sdk
def test_persistent_rate_limit_is_a_pause_not_a_failure(h: Harness) -> None:
    h.fake.throttle_next = 100
    h.fake.retry_after = "0"
    outcome = h.step("start")
    assert (outcome.status, outcome.step) == ("in_progress", "rate-limited")
    assert len(h.sleeps) == 3


@each_sdk
def test_every_request_has_a_timeout(h: Harness) -> None:
    h.step("start")
    h.fake.delay = 1.0
    h.timeout = 0.2

    during_follow_up = h.step()
    at_start = h.step("start")

    assert (during_follow_up.status, during_follow_up.step) == ("in_progress", "tfc-unreachable")
    assert (at_start.status, at_start.step) == ("failed", "tfc-unreachable")


@each_sdk
def test_a_run_that_sits_queued_is_reported_not_waited_on(h: Harness) -> None:
    h.fake.script = ["plan_queued"]
    h.step("start")
    outcome = h.step(now=datetime.now(UTC) + timedelta(minutes=45))
    assert (outcome.status, outcome.step) == ("failed", "queued-too-long")
    assert "position 2 in the queue" in outcome.message


@each_sdk
def test_workspace_by_id_and_unknown_workspace(tfc: FakeTerraformCloud, kind: str) -> None:
    ws = tfc.add_workspace("study-cluster")
    assert Harness(tfc, kind, tfc_workspace=ws.id).step("start").step == "run-created"
    missing = Harness(tfc, kind, tfc_workspace="nope").step("start")
    assert (missing.status, missing.step) == ("failed", "tfc-error")
    assert "workspace nope (RESERVATIONS_TFC_WORKSPACE) not found in organization acme" in missing.message
    no_edge = Harness(tfc, kind, tfc_edge_workspace="gone").step("start")
    assert "workspace gone (RESERVATIONS_TFC_EDGE_WORKSPACE) not found" in no_edge.message


def test_cluster_already_up_or_still_deleting(h: Harness) -> None:
    h.eks.status = "ACTIVE"
    assert h.step("start").step == "up"
    h.eks.status = "DELETING"
    assert h.step("start").step == "teardown-running"
    assert h.fake.calls("POST", "/api/v2/runs") == 0


def test_dry_run_creates_and_applies_nothing(h: Harness) -> None:
    assert h.step("start", dry_run=True).message == "would start the cluster run in workspace study-cluster"
    h.fake.script = ["planned"]
    h.step("start")
    would = h.step(dry_run=True)
    assert would.message.startswith("would apply run")
    assert h.fake.calls("POST", r"/api/v2/runs/.*/actions/apply") == 0


def test_terrasnek_never_asks_pypi_for_its_version(
    tfc: FakeTerraformCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every non-loopback request goes to a dead proxy: a version check would fail the constructor."""
    import terrasnek.endpoint

    from reservations.cluster.tfc_terrasnek import TerrasnekCloud

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    ws = tfc.add_workspace("study-cluster")

    client = TerrasnekCloud(url=tfc.url, organization="acme", token=TOKEN, timeout=1.5)

    assert client.find_workspace("study-cluster").id == ws.id
    assert tfc.requests[0] == ("GET", "/.well-known/terraform.json")
    assert terrasnek.endpoint.requests.timeout == 1.5
