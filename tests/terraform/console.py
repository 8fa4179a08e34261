"""``terraform console`` on a directory with no provider: Terraform's own reading of a template or expression.

Without providers it needs no ``init`` and no network, so the tests can prove that Terraform reads a
generated template as the Python side means it (no stray ``${``/``%{``), and evaluate a module's locals.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path


def evaluate(
    expression: str, directory: Path | None = None, variables: Mapping[str, str] | None = None
) -> object:
    """The value of ``expression`` (in the configuration in ``directory``, if any), as JSON decodes it."""
    terraform = shutil.which("terraform")
    assert terraform, "terraform must be installed to prove what Terraform renders"
    options = [f"-var={name}={value}" for name, value in (variables or {}).items()]
    with tempfile.TemporaryDirectory() as empty:
        result = subprocess.run(
            [terraform, "console", *options],
            input=f"jsonencode({expression})",
            capture_output=True,
            text=True,
            timeout=120,
            cwd=directory or empty,
            env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
        )
    assert result.returncode == 0, result.stderr
    return json.loads(json.loads(result.stdout.strip()))


def templatefile(template: Path, values: Mapping[str, object]) -> str:
    """The text Terraform renders from ``template`` with ``values`` (strings and numbers)."""
    arguments = ", ".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
    rendered = evaluate(f"templatefile({json.dumps(str(template))}, {{ {arguments} }})")
    assert isinstance(rendered, str)
    return rendered
