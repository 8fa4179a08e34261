"""The rebuild as two runs (cluster first, then full), through both clients against the fake API.

A full plan cannot refresh the edge's Kubernetes objects while the cluster is gone, so the first
run must be targeted and the full run must wait until that one is applied.
"""

from __future__ import annotations

import pytest

from reservations.cluster.config import ConfigError, SchedulerConfig, parse_targets
from reservations.cluster.rebuild import RUN_MARKER
from tests.cluster.fake_tfc import FakeTerraformCloud
from tests.cluster.test_rebuild_tfc import Harness, kind  # noqa: F401  (fixture)

APPLY = r"/api/v2/runs/.*/actions/apply"


@pytest.fixture
def h(tfc: FakeTerraformCloud, kind: str) -> Harness:  # noqa: F811
    tfc.add_workspace("study-cluster")
    return Harness(tfc, kind)


def _drive_to_applied(h: Harness) -> None:
    """Follow-ups until the current run is confirmed, then let it finish applying."""
    h.fake.tick(3)
    assert h.step().step == "applying"
    h.fake.tick(3)


def test_cluster_run_then_full_run_each_in_its_own_invocations(h: Harness) -> None:
    first = h.step("start")
    assert (first.status, first.step, first.details["phase"]) == ("in_progress", "run-created", "cluster")
    cluster_run = h.fake.run(first.details["run_id"])
    assert cluster_run.target_addrs == ["module.eks"]
    assert cluster_run.message.startswith(f"{RUN_MARKER} phase=cluster")

    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    second = h.step()  # a fresh invocation: only the runs' messages say where the rebuild is
    assert (second.status, second.step, second.details["phase"]) == ("in_progress", "run-created", "full")
    full_run = h.fake.run(second.details["run_id"])
    assert full_run.target_addrs == []
    assert "phase=full" in full_run.message
    assert h.step().step == "run-pending"  # resumed: following the full run, not starting a third

    _drive_to_applied(h)
    done = h.step()
    again = h.step()
    assert (done.status, done.step, done.details["run_id"]) == ("done", "up", full_run.id)
    assert (again.status, again.step) == ("done", "up")
    assert h.fake.calls("POST", "/api/v2/runs") == 2
    assert h.fake.calls("POST", APPLY) == 2


def test_a_new_start_after_the_cluster_run_starts_the_full_run_not_another_cluster_run(h: Harness) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"  # "already up" must not hide that the edge is still missing
    outcome = h.step("start")
    assert outcome.details["phase"] == "full"
    assert [r.target_addrs for r in h.fake.runs] == [["module.eks"], []]


@pytest.mark.parametrize("final", ["errored", "discarded", "canceled", "policy_soft_failed"])
def test_a_failed_cluster_run_does_not_start_the_full_run(h: Harness, final: str) -> None:
    h.fake.script = ["planning", final]
    h.step("start")
    h.fake.tick()
    outcome = h.step()
    again = h.step()
    assert outcome.status == "failed"
    assert again.status == "failed"
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_cluster_run_applied_without_a_cluster_is_a_clear_failure(h: Harness) -> None:
    h.step("start")
    _drive_to_applied(h)
    outcome = h.step()  # EKS still says no cluster
    assert (outcome.status, outcome.step) == ("failed", "cluster-missing")
    assert "RESERVATIONS_TFC_TARGETS" in outcome.message
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_the_full_run_keeps_the_destroy_guard(h: Harness) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    h.fake.plan_counts = {"additions": 1, "changes": 0, "destructions": 2}
    h.step()
    h.fake.tick(3)
    refused = h.step()
    assert (refused.status, refused.step) == ("refused", "destroys-resources")
    assert h.fake.calls("POST", APPLY) == 1


def test_dry_run_after_the_cluster_run_starts_nothing(h: Harness) -> None:
    h.step("start")
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    outcome = h.step(dry_run=True)
    assert (outcome.status, outcome.step) == ("noop", "dry-run")
    assert h.fake.calls("POST", "/api/v2/runs") == 1


def test_no_targets_is_a_single_full_run(tfc: FakeTerraformCloud, kind: str) -> None:  # noqa: F811
    tfc.add_workspace("study-cluster")
    h = Harness(tfc, kind, tfc_targets=())
    created = h.step("start")
    assert created.details["phase"] == "full"
    _drive_to_applied(h)
    h.eks.status = "ACTIVE"
    assert (h.step().status, h.step().step) == ("done", "up")
    assert [r.target_addrs for r in tfc.runs] == [[]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ("module.eks",)),
        ("", ()),
        ("  ", ()),
        ("module.eks", ("module.eks",)),
        ("module.eks, module.network ,", ("module.eks", "module.network")),
    ],
)
def test_targets_env_var(raw: str | None, expected: tuple[str, ...]) -> None:
    assert parse_targets(raw) == expected
    env = {"RESERVATIONS_CLUSTER_NAME": "study"}
    if raw is not None:
        env["RESERVATIONS_TFC_TARGETS"] = raw
    assert SchedulerConfig.from_env(env).tfc_targets == expected


def test_targets_env_var_rejects_a_malformed_address() -> None:
    with pytest.raises(ConfigError, match="RESERVATIONS_TFC_TARGETS"):
        parse_targets("module.eks,-destroy")
