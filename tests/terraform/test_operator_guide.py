"""What an operator following docs/deploying.md step by step runs into, checked against the code."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .hcl import ROOT, root
from .test_deploy_guide import GUIDE, guide_block

EXAMPLES = sorted((ROOT / "terraform").rglob("*.tfvars.example"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_an_example_copied_to_terraform_tfvars_passes_terraform_fmt(example: Path, tmp_path: Path) -> None:
    """Step 0 copies the example to terraform.tfvars, which `make terraform-check` then fmt-checks."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no terraform on PATH")
    copy = tmp_path / "terraform.tfvars"
    shutil.copy(example, copy)
    result = subprocess.run(
        [terraform, "fmt", "-check", "-diff", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_local_state_is_told_to_delete_the_lines_that_turn_the_teardown_on() -> None:
    switches = set(re.findall(r"var\.(\w+)", root().locals["tfc_configured"]))
    assert switches
    assert all(name.startswith("tfc_") for name in switches)
    example = (ROOT / "terraform/cell/terraform.tfvars.example").read_text(encoding="utf-8")
    assert all(re.search(rf"^{name}\s*=", example, re.M) for name in switches)  # the example sets them
    assert "delete its tfc_* lines" in guide_block()


def test_the_guide_says_where_its_venv_and_codebuilds_credentials_come_from() -> None:
    assert ".venv/bin/" in guide_block()
    assert "`make install`" in guide_block()
    assert re.search(r"^install:", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    text = GUIDE.read_text(encoding="utf-8")
    assert "source_auth" in root().variables
    assert "`source_auth`" in text
    for kind in ("CODECONNECTIONS", "SECRETS_MANAGER"):
        assert kind in text
        assert kind in str(root().variables["source_auth"])


def test_the_guide_says_how_to_tear_down_with_the_variables_that_exist() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    teardown = text.split("## Tearing it down", 1)[1].split("\n## ", 1)[0]
    for variable in ("registry_deletion_protection", "artifacts_force_destroy"):
        assert variable in root().variables
        assert variable in teardown
    assert "make terraform-emulator" in teardown
