"""scripts/deploy-functions: which functions it rolls forward, with what AppSpec, and how it fails.

`terraform` and `aws` are stand-ins on PATH (no AWS account here): the terraform one prints the
function_deployments output, the aws one answers from a small JSON world and records every call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .hcl import ROOT

SCRIPT = ROOT / "scripts" / "deploy-functions"

AWS_STUB = r"""
import json, os, sys
world = json.load(open(os.environ["STUB_WORLD"]))
args = sys.argv[1:]
with open(os.environ["STUB_CALLS"], "a") as log:
    log.write(json.dumps(args) + "\n")
def opt(name):
    return args[args.index(name) + 1]
if args[:2] == ["lambda", "get-alias"]:
    print(world["live"][opt("--function-name")])
elif args[:2] == ["deploy", "create-deployment"]:
    print("d-" + opt("--deployment-group-name"))
elif args[:3] == ["deploy", "wait", "deployment-successful"]:
    sys.exit(255 if opt("--deployment-id") in world.get("failing", []) else 0)
elif args[:2] == ["deploy", "get-deployment"]:
    print("Stopped")
else:
    sys.exit("unexpected aws call: " + " ".join(args))
"""


def deployments(*names: str) -> dict[str, Any]:
    return {
        name: {
            "application": "reservations-functions",
            "deployment_group": name,
            "function_name": f"reservations-{name}",
            "alias": "live",
            "target_version": "7",
        }
        for name in names
    }


def run(
    tmp_path: Path, world: dict[str, Any], *args: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    output = tmp_path / "output.json"
    output.write_text(json.dumps(deployments("list", "add")))
    (bin_dir / "terraform").write_text(f"#!/bin/sh\ncat {output}\n")
    (bin_dir / "aws").write_text(f"#!{sys.executable}\n{AWS_STUB}")
    for stub in ("terraform", "aws"):
        (bin_dir / stub).chmod(0o755)
    (tmp_path / "world.json").write_text(json.dumps(world))
    calls = tmp_path / "calls.jsonl"
    calls.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "STUB_WORLD": str(tmp_path / "world.json"),
        "STUB_CALLS": str(calls),
    }
    result = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)
    return result, [json.loads(line) for line in calls.read_text().splitlines()]


def created(calls: list[list[str]]) -> dict[str, dict[str, Any]]:
    """Group name -> the AppSpec properties of the deployment started for it."""
    found = {}
    for call in calls:
        if call[:2] == ["deploy", "create-deployment"]:
            revision = json.loads(call[call.index("--revision") + 1])
            assert revision["revisionType"] == "AppSpecContent"
            spec = json.loads(revision["appSpecContent"]["content"])
            (resource,) = spec["Resources"]
            ((_, body),) = resource.items()
            found[call[call.index("--deployment-group-name") + 1]] = body["Properties"]
    return found


def test_only_a_function_behind_its_published_version_is_deployed(tmp_path: Path) -> None:
    result, calls = run(tmp_path, {"live": {"reservations-list": "6", "reservations-add": "7"}})
    assert result.returncode == 0, result.stderr
    assert created(calls) == {
        "list": {"Name": "reservations-list", "Alias": "live", "CurrentVersion": "6", "TargetVersion": "7"}
    }
    assert "add: live already serves version 7" in result.stdout
    assert ["deploy", "wait", "deployment-successful", "--deployment-id", "d-list"] in calls


def test_a_rolled_back_deployment_fails_the_script_and_names_the_function(tmp_path: Path) -> None:
    world = {"live": {"reservations-list": "6", "reservations-add": "5"}, "failing": ["d-add"]}
    result, calls = run(tmp_path, world)
    assert result.returncode == 1
    assert set(created(calls)) == {"list", "add"}  # one failure does not stop the others
    assert "add: deployment d-add ended Stopped; live stays on (or went back to) version 5" in result.stderr
    assert result.stderr.strip().endswith("deploy-functions: not deployed: add")


def test_named_functions_only_and_an_unknown_name_is_refused(tmp_path: Path) -> None:
    world = {"live": {"reservations-list": "6", "reservations-add": "6"}}
    result, calls = run(tmp_path, world, "add")
    assert result.returncode == 0, result.stderr
    assert set(created(calls)) == {"add"}
    result, calls = run(tmp_path, world, "lsit")
    assert result.returncode != 0
    assert "no function named lsit (known: add, list)" in result.stderr
    assert calls == []
