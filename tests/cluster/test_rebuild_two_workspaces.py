"""The rebuild across two workspaces (cluster, then edge), against the fake API through the default
client (what each SDK translates is proved through both in test_rebuild_tfc.py).

The edge workspace's plan needs the cluster (its kubernetes provider reads it through data sources),
so the fake errors an edge run created while EKS has no ACTIVE cluster: a rebuild that started the
edge run too early fails these tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from reservations.cluster.config import ConfigError, SchedulerConfig
from reservations.cluster.runs import RUN_MARKER
from tests.cluster.fake_tfc import FakeTerraformCloud, FakeWorkspace
from tests.cluster.test_rebuild_tfc import Harness, kind  # noqa: F401  (fixture)

APPLY = r"/api/v2/runs/.*/actions/apply"
EDGE_CHANGES: list[dict[str, Any]] = [
    {
        "address": "module.edge.kubernetes_deployment_v1.this",
        "type": "kubernetes_deployment_v1",
        "change": {"actions": ["create"]},
    },
    {
        "address": "module.edge.kubernetes_service_v1.this",
        "type": "kubernetes_service_v1",
        "change": {"actions": ["create"]},
    },
    {"address": "aws_route53_record.edge", "type": "aws_route53_record", "change": {"actions": ["update"]}},
    {"address": "data.aws_eks_cluster.this", "type": "aws_eks_cluster", "change": {"actions": ["read"]}},
]


class TwoWorkspaces(Harness):
    def __init__(self, fake: FakeTerraformCloud, kind: str, **config: Any) -> None:  # noqa: F811
        self.cluster_ws = fake.add_workspace("study-cluster")
        self.edge_ws = fake.add_workspace(
            "study-edge", created_type="kubernetes_deployment_v1", resource_changes=EDGE_CHANGES
        )
        super().__init__(fake, kind, **({"tfc_edge_workspace": "study-edge"} | config))
        self.edge_ws.plannable = lambda: self.eks.status == "ACTIVE"

    def runs(self, ws: FakeWorkspace) -> list[Any]:
        return [r for r in self.fake.runs if r.workspace_id == ws.id]


@pytest.fixture
def h(tfc: FakeTerraformCloud, kind: str) -> TwoWorkspaces:  # noqa: F811
    return TwoWorkspaces(tfc, kind)


def _drive_to_applied(h: Harness) -> None:
    """Follow-ups until the current run is confirmed, then let it finish applying."""
    h.fake.tick(3)
    assert h.step().step == "applying"
    h.fake.tick(3)


def test_cluster_run_then_edge_run_each_in_its_own_invocations(h: TwoWorkspaces) -> None:
    first = h.step("start")
    assert (first.status, first.step, first.details["phase"]) == ("in_progress", "run-created", "cluster")
    [cluster_run] = h.runs(h.cluster_ws)
    assert cluster_run.message.startswith(f"{RUN_MARKER} phase=cluster")

    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    second = h.step()  # a fresh invocation: only the runs' messages say where the rebuild is
    assert (second.status, second.step, second.details["phase"]) == ("in_progress", "run-created", "edge")
    assert second.details["workspace"] == "study-edge"
    [edge_run] = h.runs(h.edge_ws)
    assert edge_run.message.startswith(f"{RUN_MARKER} phase=edge")
    assert h.step().step == "run-pending"  # resumed: following the edge run, not starting a third

    _drive_to_applied(h)
    done = h.step()
    again = h.step()
    assert (done.status, done.step, done.details["run_id"]) == ("done", "up", edge_run.id)
    assert "edge restored" in done.message
    assert (again.status, again.step) == ("done", "up")
    assert h.fake.calls("POST", "/api/v2/runs") == 2
    assert h.fake.calls("POST", APPLY) == 2
    assert [r.target_addrs for r in h.fake.runs] == [[], []]  # no -target anywhere
    assert [r.status for r in h.fake.runs] == ["applied", "applied"]


def test_the_edge_run_waits_for_an_active_cluster(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "CREATING"
    waiting = h.step()
    assert (waiting.status, waiting.step) == ("in_progress", "cluster-creating")
    assert h.runs(h.edge_ws) == []
    h.eks.status = "ACTIVE"
    assert h.step().details["phase"] == "edge"
    assert h.fake.runs[-1].status == "pending"  # planned against a live cluster: not errored


def test_a_new_start_after_the_cluster_run_starts_the_edge_run_not_another_cluster_run(
    h: TwoWorkspaces,
) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"  # "already up" must not hide that the edge is still missing
    outcome = h.step("start")
    assert outcome.details["phase"] == "edge"
    assert (len(h.runs(h.cluster_ws)), len(h.runs(h.edge_ws))) == (1, 1)


@pytest.mark.parametrize("final", ["errored", "discarded", "canceled", "policy_soft_failed"])
def test_a_failed_cluster_run_does_not_start_the_edge_run(h: TwoWorkspaces, final: str) -> None:
    h.fake.script = ["planning", final]
    h.step("start")
    h.fake.tick()
    outcome = h.step()
    again = h.step()
    assert outcome.status == "failed"
    assert again.status == "failed"
    assert h.runs(h.edge_ws) == []


def test_cluster_run_applied_without_a_cluster_is_a_clear_failure(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    outcome = h.step()  # EKS still says no cluster
    assert (outcome.status, outcome.step) == ("failed", "cluster-missing")
    assert "does workspace study-cluster manage it?" in outcome.message
    assert h.runs(h.edge_ws) == []


def test_a_failed_edge_run_is_reported_and_retried_by_the_next_start_only(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    h.edge_ws.script = ["planning", "errored"]
    h.step()
    h.fake.tick()
    failed = h.step()
    assert (failed.status, failed.step, failed.details["workspace"]) == ("failed", "errored", "study-edge")
    assert h.step().status == "failed"  # follow-ups report, they do not retry
    assert len(h.runs(h.edge_ws)) == 1

    h.edge_ws.script = None
    retried = h.step("start")
    assert (retried.step, retried.details["phase"]) == ("run-created", "edge")
    assert (len(h.runs(h.cluster_ws)), len(h.runs(h.edge_ws))) == (1, 2)


def test_the_edge_plan_may_change_only_the_edge(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    h.edge_ws.resource_changes = [
        *EDGE_CHANGES,
        {
            "address": "aws_eks_node_group.extra",
            "type": "aws_eks_node_group",
            "change": {"actions": ["create"]},
        },
        {"address": "aws_s3_bucket.logs", "type": "aws_s3_bucket", "change": {"actions": ["delete"]}},
    ]
    h.step()
    h.fake.tick(3)
    refused = h.step()
    assert (refused.status, refused.step) == ("refused", "foreign-changes")
    assert refused.details["foreign_changes"] == ["aws_eks_node_group.extra", "aws_s3_bucket.logs"]
    assert "outside the edge's" in refused.message
    assert h.fake.calls("POST", APPLY) == 1  # the cluster run only
    assert h.step().step == "foreign-changes"  # still refused on the next call, still not applied
    assert h.fake.calls("POST", APPLY) == 1


def test_someone_elses_edge_run_blocks_only_the_edge_run(h: TwoWorkspaces) -> None:
    other = h.fake.add_run(h.edge_ws, "Triggered via UI", ["planned"])
    assert h.step("start").details["phase"] == "cluster"  # a stuck edge run does not stop the cluster
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"

    outcome = h.step()

    assert (outcome.status, outcome.step, outcome.details["run_id"]) == ("noop", "run-active", other.id)
    assert "already in progress in study-edge" in outcome.message
    assert h.runs(h.edge_ws) == [other]
    assert h.fake.calls("POST", APPLY) == 1  # ours only: someone else's run is never confirmed


def test_our_active_edge_run_is_followed_whatever_runs_elsewhere(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    h.step()
    h.fake.add_run(h.cluster_ws, "Triggered via UI", ["planning"])
    h.fake.tick(3)
    assert h.step().step == "applying"


def test_a_locked_edge_workspace_refuses_the_edge_run_without_stranding_the_cluster_run(
    h: TwoWorkspaces,
) -> None:
    h.edge_ws.locked, h.edge_ws.locked_by = True, "users"
    assert h.step("start").details["phase"] == "cluster"
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"

    outcome = h.step()

    assert (outcome.status, outcome.step, outcome.details["workspace"]) == (
        "refused",
        "workspace-locked",
        "study-edge",
    )
    assert "locked by users" in outcome.message
    assert h.runs(h.edge_ws) == []


def test_a_workspace_locked_while_our_run_waits_is_not_applied(h: TwoWorkspaces) -> None:
    h.fake.script = ["planned"]
    h.step("start")
    h.cluster_ws.locked, h.cluster_ws.locked_by = True, "users"
    outcome = h.step()
    assert (outcome.status, outcome.step) == ("refused", "workspace-locked")
    assert h.fake.calls("POST", APPLY) == 0


def test_dry_run_after_the_cluster_run_starts_nothing(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    outcome = h.step(dry_run=True)
    assert (outcome.status, outcome.step) == ("noop", "dry-run")
    assert outcome.message == "would start the edge run in workspace study-edge"
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_a_cluster_torn_down_again_before_the_edge_run_starts_a_new_cycle(h: TwoWorkspaces) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = None  # torn down by hand before any follow-up ran
    outcome = h.step("start")
    assert (outcome.step, outcome.details["phase"]) == ("run-created", "cluster")
    assert h.runs(h.edge_ws) == []


def test_without_an_edge_workspace_the_cluster_run_is_the_whole_rebuild(
    tfc: FakeTerraformCloud,
    kind: str,  # noqa: F811
) -> None:
    tfc.add_workspace("study-cluster")
    h = Harness(tfc, kind)
    assert h.step("start").details["phase"] == "cluster"
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    assert (h.step().status, h.step().step) == ("done", "up")
    assert len(tfc.runs) == 1


def test_edge_workspace_from_the_environment() -> None:
    env = {"RESERVATIONS_CLUSTER_NAME": "study", "RESERVATIONS_TFC_EDGE_WORKSPACE": " study-edge "}
    assert SchedulerConfig.from_env(env).tfc_edge_workspace == "study-edge"
    assert SchedulerConfig.from_env({"RESERVATIONS_CLUSTER_NAME": "study"}).tfc_edge_workspace is None


def test_the_edge_workspace_must_not_be_the_cluster_workspace() -> None:
    config = SchedulerConfig(
        cluster_name="study", tfc_organization="acme", tfc_workspace="w", tfc_edge_workspace="w"
    )
    with pytest.raises(ConfigError, match="RESERVATIONS_TFC_EDGE_WORKSPACE"):
        config.require_tfc()


def test_the_retired_targets_variable_fails_loudly() -> None:
    env = {"RESERVATIONS_CLUSTER_NAME": "study", "RESERVATIONS_TFC_TARGETS": "module.eks"}
    with pytest.raises(ConfigError, match="RESERVATIONS_TFC_TARGETS is no longer used"):
        SchedulerConfig.from_env(env)
    assert SchedulerConfig.from_env(env | {"RESERVATIONS_TFC_TARGETS": ""}).cluster_name == "study"
