"""Lambda-seconds billed for one down+up cycle: resumable steps versus the original busy-wait.

AWS and Terraform Cloud are simulated on a clock (EKS takes 10 minutes to tear the cluster down,
Terraform Cloud 10 minutes to rebuild it), so the cycle runs in a second. Our design is the real
``Teardown``/``Rebuild`` code, invoked at the start time and then by a ``rate(5 minutes)`` follow-up
until it reports a terminal outcome; its billed time is the measured CPU-side duration of each
invocation plus a modelled round trip per API call, plus the measured cold-start import once per
function. The original design sits in one invocation polling until AWS is done, so it is billed
for the whole wait (plus the same round trips). Run: ``python -m bench.cluster_cycle``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from bench.common import table, write
from reservations.cluster.config import OPT_IN_TAG, OPT_IN_VALUE, SchedulerConfig
from reservations.cluster.rebuild import Rebuild
from reservations.cluster.steps import Phase, StepContext
from reservations.cluster.teardown import Teardown
from reservations.cluster.tfc import TfcPlan, TfcResourceChange, TfcRun, TfcWorkspace

NAME = "study"
API_ROUND_TRIP_S = 0.1  # a generous AWS / Terraform Cloud API latency, billed while the function waits
FOLLOW_UP_S = 300  # rate(5 minutes)
NODEGROUPS_DELETE_S = 300
CLUSTER_DELETE_S = 300
PLAN_S = 120
APPLY_S = 480
ORIGINAL_POLL_S = 30  # botocore's EKS waiters poll every 30 s; the original polled TFC every 10 s
ORIGINAL_TFC_POLL_S = 10


@dataclass
class Clock:
    t: float = 0.0
    start: datetime = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)

    @property
    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t)


def not_found(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "not found"}}, operation)


@dataclass
class SimulatedAws:
    """EKS, ELBv2 and EC2 with deletions that take simulated time; counts the API calls."""

    clock: Clock
    calls: int = 0
    nodegroups: dict[str, float | None] = field(default_factory=lambda: {"general": None, "spot": None})
    cluster_deleted_at: float | None = None
    cluster_exists: bool = True
    created_at: float | None = None  # set when a Terraform apply finishes

    def _call(self) -> None:
        self.calls += 1

    def _gone(self, deleted_at: float | None, duration: float) -> bool:
        return deleted_at is not None and self.clock.t >= deleted_at + duration

    def describe_cluster(self, name: str) -> dict[str, Any]:
        self._call()
        if self.cluster_deleted_at is not None and self._gone(self.cluster_deleted_at, CLUSTER_DELETE_S):
            self.cluster_exists = False
        if not self.cluster_exists:
            raise not_found("DescribeCluster")
        status = "DELETING" if self.cluster_deleted_at is not None else "ACTIVE"
        return {"cluster": {"name": name, "status": status, "tags": {OPT_IN_TAG: OPT_IN_VALUE}}}

    def _live_nodegroups(self) -> list[str]:
        return [n for n, at in self.nodegroups.items() if not self._gone(at, NODEGROUPS_DELETE_S)]

    def get_paginator(self, operation: str) -> Any:
        aws = self

        class Paginator:
            def paginate(self, **_: Any) -> list[dict[str, Any]]:
                aws._call()
                pages: dict[str, dict[str, Any]] = {
                    "list_nodegroups": {"nodegroups": aws._live_nodegroups()},
                    "list_fargate_profiles": {"fargateProfileNames": []},
                    "describe_load_balancers": {"LoadBalancers": []},
                    "describe_target_groups": {"TargetGroups": []},
                }
                return [pages[operation]]

        return Paginator()

    def describe_nodegroup(self, clusterName: str, nodegroupName: str) -> dict[str, Any]:  # noqa: N803
        self._call()
        status = "ACTIVE" if self.nodegroups[nodegroupName] is None else "DELETING"
        return {"nodegroup": {"nodegroupName": nodegroupName, "status": status}}

    def delete_nodegroup(self, clusterName: str, nodegroupName: str) -> dict[str, Any]:  # noqa: N803
        self._call()
        self.nodegroups[nodegroupName] = self.clock.t
        return {}

    def delete_cluster(self, name: str) -> dict[str, Any]:
        self._call()
        self.cluster_deleted_at = self.clock.t
        return {}

    def describe_security_groups(self, **_: Any) -> dict[str, Any]:
        self._call()
        return {"SecurityGroups": []}

    def rebuilt(self) -> None:
        self.cluster_exists = True
        self.cluster_deleted_at = None


@dataclass
class SimulatedTfc:
    """A workspace whose one run plans for PLAN_S and applies for APPLY_S after confirmation."""

    clock: Clock
    aws: SimulatedAws
    calls: int = 0
    created: float | None = None
    message: str = ""
    applied_at: float | None = None

    def _status(self) -> str:
        assert self.created is not None
        if self.applied_at is not None:
            if self.clock.t >= self.applied_at + APPLY_S:
                self.aws.rebuilt()
                return "applied"
            return "applying"
        return "planned" if self.clock.t >= self.created + PLAN_S else "planning"

    def _run(self) -> TfcRun:
        status = self._status()
        return TfcRun(
            "run-1",
            status,
            self.message,
            self.clock.start + timedelta(seconds=self.created or 0),
            status == "planned",
            "plan-1",
        )

    def find_workspace(self, workspace: str) -> TfcWorkspace:
        self.calls += 1
        return TfcWorkspace("ws-1", workspace, auto_apply=False, locked=False)

    def recent_runs(self, workspace_id: str, limit: int = 20) -> list[TfcRun]:
        self.calls += 1
        return [] if self.created is None else [self._run()]

    def get_run(self, run_id: str) -> TfcRun:
        self.calls += 1
        return self._run()

    def create_run(self, workspace_id: str, message: str) -> TfcRun:
        self.calls += 1
        self.created, self.message = self.clock.t, message
        return self._run()

    def apply_run(self, run_id: str, comment: str) -> None:
        self.calls += 1
        self.applied_at = self.clock.t

    def get_plan(self, plan_id: str) -> TfcPlan:
        self.calls += 1
        return TfcPlan(plan_id, "finished", 12, 0, 0)

    def plan_resource_changes(self, plan_id: str) -> list[TfcResourceChange] | None:
        self.calls += 1
        return [
            TfcResourceChange(f"aws_eks_node_group.ng{i}", "aws_eks_node_group", ("create",))
            for i in range(12)
        ]

    def close(self) -> None:
        pass


def cold_start_seconds() -> float:
    """Import time of both functions' modules in a fresh interpreter (Lambda bills the INIT phase)."""
    code = (
        "import time; t = time.perf_counter();"
        "import reservations.functions.cluster_down, reservations.functions.cluster_up;"
        "import reservations.cluster.tfc_pytfe, pytfe;"
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def billed(seconds: float) -> float:
    """Lambda bills duration in 1 ms increments."""
    return math.ceil(seconds * 1000) / 1000


def ours(cold_start: float) -> dict[str, Any]:
    clock = Clock()
    aws = SimulatedAws(clock)
    tfc = SimulatedTfc(clock, aws)
    config = SchedulerConfig(cluster_name=NAME, tfc_organization="acme", tfc_workspace="study-cluster")
    result: dict[str, Any] = {}
    for action, step in (
        ("down", Teardown(config, aws, aws, aws)),
        ("up", Rebuild(config, aws, lambda: tfc)),
    ):
        invocations, seconds, calls_before = 0, cold_start / 2, aws.calls + tfc.calls
        phase: Phase = "start"
        started = clock.t
        while True:
            invocations += 1
            began = time.perf_counter()
            outcome = step.step(StepContext(trigger="schedule", phase=phase, now=clock.now))
            seconds += billed(time.perf_counter() - began)
            if outcome.terminal:
                break
            phase = "follow-up"
            clock.t += FOLLOW_UP_S
        calls = aws.calls + tfc.calls - calls_before
        result[action] = {
            "invocations": invocations,
            "api_calls": calls,
            "lambda_seconds": round(seconds + calls * API_ROUND_TRIP_S, 3),
            "wall_minutes": round((clock.t - started) / 60, 1),
            "final": f"{outcome.status} ({outcome.step})",
        }
        clock.t += 8 * 3600  # the night passes
    return result


def original() -> dict[str, Any]:
    """One invocation per direction that polls until done (as the original functions did)."""
    down_wait = NODEGROUPS_DELETE_S + CLUSTER_DELETE_S
    down_calls = 3 + down_wait // ORIGINAL_POLL_S  # list, delete nodegroup, delete cluster, then polls
    up_wait = PLAN_S + APPLY_S
    up_calls = 3 + up_wait // ORIGINAL_TFC_POLL_S  # create run, apply, show, then polls
    return {
        "down": {
            "invocations": 1,
            "api_calls": down_calls,
            "lambda_seconds": round(down_wait + down_calls * API_ROUND_TRIP_S, 3),
            "wall_minutes": down_wait / 60,
            "final": "done",
        },
        "up": {
            "invocations": 1,
            "api_calls": up_calls,
            "lambda_seconds": round(up_wait + up_calls * API_ROUND_TRIP_S, 3),
            "wall_minutes": up_wait / 60,
            "final": "done",
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold-start", action="store_true", help="leave the import time out")
    args = parser.parse_args(argv)
    cold = 0.0 if args.no_cold_start else cold_start_seconds()
    mine, theirs = ours(cold), original()
    total_mine = sum(v["lambda_seconds"] for v in mine.values())
    total_theirs = sum(v["lambda_seconds"] for v in theirs.values())
    ratio = total_mine / total_theirs
    headers = ("design", "direction", "invocations", "API calls", "Lambda-s", "done after (min)", "final")
    rows = [
        (design, k, v["invocations"], v["api_calls"], v["lambda_seconds"], v["wall_minutes"], v["final"])
        for design, result in (("resumable", mine), ("busy-wait", theirs))
        for k, v in result.items()
    ]
    verdict = "PASS" if ratio < 0.05 else "FAIL"
    markdown = "\n".join(
        [
            table("Lambda-seconds per cluster down+up cycle", headers, rows),
            "",
            f"Resumable {total_mine:.2f} Lambda-s vs busy-wait {total_theirs:.2f} Lambda-s per cycle:"
            f" {ratio:.2%} (target < 5%: {verdict}). Cold start {cold:.2f} s, counted once per function;"
            f" {API_ROUND_TRIP_S} s billed per API call; follow-ups every {FOLLOW_UP_S // 60} min.",
        ]
    )
    data: dict[str, Any] = {
        "resumable": mine,
        "busy_wait": theirs,
        "resumable_lambda_seconds": round(total_mine, 3),
        "busy_wait_lambda_seconds": round(total_theirs, 3),
        "ratio": round(ratio, 5),
        "target_ratio": 0.05,
        "pass": ratio < 0.05,
        "assumptions": {
            "api_round_trip_s": API_ROUND_TRIP_S,
            "follow_up_interval_s": FOLLOW_UP_S,
            "teardown_s": NODEGROUPS_DELETE_S + CLUSTER_DELETE_S,
            "rebuild_s": PLAN_S + APPLY_S,
            "cold_start_s": round(cold, 3),
        },
    }
    write("cluster_cycle", data, markdown)
    return data


if __name__ == "__main__":
    raise SystemExit(0 if main()["pass"] else 1)
