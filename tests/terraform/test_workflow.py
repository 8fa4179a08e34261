"""The GitHub Actions workflow that runs the networked Terraform checks is valid and complete."""

from __future__ import annotations

from typing import Any

import yaml

from .hcl import ROOT, module_dirs

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


def test_workflow_runs_fmt_init_validate_and_checkov() -> None:
    jobs = load()["jobs"]
    assert "terraform fmt -check" in commands(jobs["fmt"])
    validate = commands(jobs["validate"])
    assert "init -backend=false" in validate
    assert "validate" in validate
    assert "checkov -d terraform" in commands(jobs["checkov"])
    assert "gen-tfvars.py --check" in commands(jobs["catalogue"])


def test_validate_covers_every_terraform_directory() -> None:
    matrix = set(load()["jobs"]["validate"]["strategy"]["matrix"]["dir"])
    expected = {str(d.relative_to(ROOT)) for d in module_dirs()}
    assert matrix == expected
