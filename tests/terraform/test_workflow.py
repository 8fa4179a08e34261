"""The GitHub Actions workflow that runs the networked Terraform checks is valid and complete."""

from __future__ import annotations

from typing import Any

import yaml

from .hcl import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "terraform.yml"


def load() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def commands(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_is_valid_yaml_with_triggers_and_jobs() -> None:
    document = load()
    triggers = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(triggers, dict)
    assert {"push", "pull_request"} <= set(triggers)
    assert document["permissions"] == {"contents": "read"}
    for name, job in document["jobs"].items():
        assert job["runs-on"], name
        assert job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{name}: a step needs exactly one of uses/run"
            if "uses" in step:
                assert "@" in step["uses"], f"{name}: pin {step['uses']}"


def test_workflow_runs_the_make_target_of_make_test_and_checkov() -> None:
    """One definition of the Terraform checks: the workflow runs what `make test` runs."""
    jobs = load()["jobs"]
    assert "make terraform-check" in commands(jobs["terraform"])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "terraform-check" in test_recipe
    assert "checkov -d terraform" in commands(jobs["checkov"])
    assert "gen-tfvars.py --check" in commands(jobs["catalogue"])


def test_terraform_check_covers_every_root_module() -> None:
    """Every directory with a versions.tf that is not a module under modules/ is a root to validate."""
    script = (ROOT / "scripts" / "terraform-check").read_text(encoding="utf-8")
    roots_line = next(line for line in script.splitlines() if line.startswith("roots=("))
    listed = set(roots_line.removeprefix("roots=(").removesuffix(")").split())
    expected = {
        str(p.parent.relative_to(ROOT))
        for p in (ROOT / "terraform").rglob("versions.tf")
        if "modules" not in p.parts and ".terraform" not in p.parts
    }
    assert listed == expected
