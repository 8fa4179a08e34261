"""SnapStart's hooks: registered by every API function and the authorizer inside Lambda's runtime
(where ``snapshot_restore_py`` exists), nowhere else; the before-snapshot hook leaves the clients
made, the after-restore hook re-seeds the pseudo-random state the snapshot would share.

``snapshot_restore_py`` ships only inside Lambda's managed runtimes, so a stand-in with its two
registration functions (the documented API) is put on the path of a fresh interpreter.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reservations import catalogue
from tests.functions.fresh import REQUEST_PATH, run_probe

STAND_IN = """
before, after = [], []
def register_before_snapshot(func, *args, **kwargs):
    before.append(func)
    return func
def register_after_restore(func, *args, **kwargs):
    after.append(func)
    return func
"""

PROBE = """
import importlib, json, random, sys
import snapshot_restore_py as hooks
module = importlib.import_module(sys.argv[1])
if sys.argv[2] == "registered":
    print(json.dumps({"before": len(hooks.before), "after": len(hooks.after)}))
    raise SystemExit
from reservations import wiring
made_before = (wiring._store is not None, wiring._registry is not None)
for hook in hooks.before:
    hook()
random.seed(1234)
first = random.random()
random.seed(1234)
for hook in hooks.after:
    hook()
print(json.dumps({
    "before": len(hooks.before), "after": len(hooks.after),
    "made_before_snapshot": made_before,
    "made_after_hook": [wiring._store is not None, wiring._registry is not None],
    "reseeded": random.random() != first,
}))
"""


def probe(module: str, tmp_path: Path, initialization: str, mode: str = "hooks") -> dict[str, Any]:
    """Imports ``module`` in a fresh interpreter that has the stand-in, as Lambda initialises it."""
    (tmp_path / "snapshot_restore_py.py").write_text(STAND_IN, encoding="utf-8")
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    env = {"PYTHONPATH": path, "AWS_LAMBDA_INITIALIZATION_TYPE": initialization}
    return run_probe(PROBE, [module, mode], tmp_path, env)


@pytest.mark.slow
@pytest.mark.parametrize("function", REQUEST_PATH, ids=[f.name for f in REQUEST_PATH])
def test_hooks_warm_the_clients_and_reseed_after_restore(
    function: catalogue.Function, tmp_path: Path
) -> None:
    seen = probe(function.module, tmp_path, "snap-start")
    assert (seen["before"], seen["after"]) == (1, 1)
    assert seen["made_before_snapshot"] == [False, False]  # importing makes nothing
    assert seen["made_after_hook"] == [True, True]
    assert seen["reseeded"]


@pytest.mark.parametrize("initialization", ["on-demand", "provisioned-concurrency"])
def test_other_cold_starts_register_nothing(initialization: str, tmp_path: Path) -> None:
    """Without SnapStart the hooks would only cost an import on every cold start."""
    seen = probe(catalogue.get_function("list").module, tmp_path, initialization, "registered")
    assert (seen["before"], seen["after"]) == (0, 0)


def test_outside_lambda_nothing_is_registered() -> None:
    from reservations.functions import snapstart

    assert snapstart.register() is False
