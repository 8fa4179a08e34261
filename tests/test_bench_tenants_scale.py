"""``bench.tenants_scale --quick`` runs in the suite (issue #23): at a few hundred customers every
section completes and the goals that are not about time hold (memory growth, the same plan with 3 and
300 registered customers, a monitoring bill with a fixed part and under a cent a customer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.nginx


def test_the_quick_run_meets_its_goals(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RESERVATIONS_BENCH_RESULTS"}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bench.tenants_scale", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = tmp_path / "reservations-bench"
    clients = json.loads((results / "tenants_scale_clients.json").read_text())
    assert clients["quick"] is True
    assert clients["goals"] == {"memory": True}
    assert clients["clients"]["growth_mb"] <= 150
    edge = json.loads((results / "tenants_scale_edge.json").read_text())
    assert edge["quick"] is True
    assert edge["goals"] == {"every_host_maps": True, "subdomains_map": True, "fits_the_pod": True}
    scaled = edge["edge"]["scaled"]
    assert scaled["domains"] == scaled["hosts_checked"] == 300  # every generated host requested
    assert scaled["hosts_unmapped"] == []
    assert scaled["map_bytes"] > 300 * len("book.hotel-00000.example hotel-00000;")
    onboarding = json.loads((results / "tenants_scale_onboarding.json").read_text())
    assert onboarding["quick"] is True
    assert onboarding["goals"] == {"each_once": True, "deleted_without_trace": True}
    run = onboarding["onboarding"]
    assert run["customers"] > 0
    once = run["onboarded"]  # every customer registered, active, with one table and one usage key
    assert once["each_once"] is True
    assert once["customers"] == once["active"] == once["tables"] == once["usage_keys"] == run["customers"]
    assert once["usage_keys_in_plans"] == run["customers"]
    left = run["after_delete"]
    assert (
        left["customers"] == left["tables"] == left["usage_keys"] == run["customers"] - run["deleted_sample"]
    )
    # last: each skips the test where Terraform's AWS provider cannot be installed
    _the_plan_does_not_see_customers(results / "tenants_scale_plan.json")
    _monitoring_costs_nothing_per_customer(results / "tenants_scale_monitoring.json")


def test_onboarding_in_batches_counts_every_customer_once() -> None:
    """Three batches with moto reset before each (the quick run has one): the counts of every batch
    add up to each customer once, and the deletes of the last batch leave nothing behind."""
    script = "import json; from bench.tenants_scale_onboarding import onboard; print(json.dumps(onboard(7, batch=3)))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RESERVATIONS_"))}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads(done.stdout.splitlines()[-1])
    assert run["batches"] == 3
    once = run["onboarded"]
    assert once["each_once"] is True
    assert once["customers"] == once["active"] == once["tables"] == once["usage_keys"] == 7
    assert once["usage_keys_in_plans"] == 7
    left = run["after_delete"]
    assert run["deleted_sample"] >= 1
    assert left["each_once"] is True
    assert left["customers"] == left["tables"] == left["usage_keys"] == 7 - run["deleted_sample"]


def _the_plan_does_not_see_customers(path: Path) -> None:
    plan = json.loads(path.read_text())
    if "skipped" in plan:  # no Terraform or AWS provider here (the section says which)
        pytest.skip(plan["skipped"])
    assert plan["quick"] is True
    assert plan["goals"] == {"same_plan": True}
    small, large = plan["customers"]
    assert (small, large) == (3, 300)
    assert plan["resources"][str(small)] == plan["resources"][str(large)] > 0
    assert plan["before_issue_23"][str(large)] == 330 + 6 * large
    assert "aws_dynamodb_table" in plan["types"]
    assert "aws_api_gateway_api_key" not in plan["types"]


def _monitoring_costs_nothing_per_customer(path: Path) -> None:
    monitoring = json.loads(path.read_text())
    if "skipped" in monitoring:
        pytest.skip(monitoring["skipped"])
    assert monitoring["goals"] == {"fixed_counts": True, "per_customer": True}
    counts = monitoring["counts"]["10"]
    assert counts["insight_rules"] == 3
    assert counts["dashboards"] == 1
    assert counts["alarms"] >= 40
    assert counts["alarm_metrics"] > counts["alarms"]
    costs = monitoring["costs"]
    assert costs["10"]["fixed"] == costs["10000"]["fixed"] > 0
    assert costs["10000"]["per_customer"] <= 0.01
    assert costs["10000"]["before_issue_23_extra"] == 12_000
