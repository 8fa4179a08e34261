"""``bench.tenants_scale --quick`` runs in the suite (issue #23): at a few hundred customers every
section completes and the goals that are not about time hold (memory growth, fixed resources)."""

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
