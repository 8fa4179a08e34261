"""Terraform's own ``templatefile()``, run by the terraform binary: what a module makes of a template.

``terraform console`` in an empty directory needs no provider and no network, so the tests can prove that
Terraform reads a generated template as the Python side means it (no stray ``${``/``%{``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path


def templatefile(template: Path, values: Mapping[str, object]) -> str:
    """The text Terraform renders from ``template`` with ``values`` (strings and numbers)."""
    terraform = shutil.which("terraform")
    assert terraform, "terraform must be installed to prove what Terraform renders"
    arguments = ", ".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
    expression = f"jsonencode(templatefile({json.dumps(str(template))}, {{ {arguments} }}))"
    with tempfile.TemporaryDirectory() as empty:
        result = subprocess.run(
            [terraform, "console"],
            input=expression,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=empty,
            env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
        )
    assert result.returncode == 0, result.stderr
    rendered = json.loads(json.loads(result.stdout.strip()))
    assert isinstance(rendered, str)
    return rendered
