"""`make k8s-render > manifests.yaml` writes manifests only: make echoed its command line into the YAML."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PARAMS = [
    "IMAGE=123456789012.dkr.ecr.us-east-1.amazonaws.com/reservations-edge@sha256:" + "a" * 64,
    "UPSTREAM=https://abc123.execute-api.us-east-1.amazonaws.com/v1",
    "CERTIFICATE_ARN=arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
]


@pytest.mark.parametrize("flags", [["-s"], []], ids=["make -s", "make"])
def test_the_make_target_prints_nothing_but_the_manifests(flags: list[str]) -> None:
    if not (ROOT / ".venv" / "bin" / ".installed").exists():
        pytest.skip("make would install .venv first (its own lines on stdout): run make install")
    result = subprocess.run(
        ["make", "--no-print-directory", *flags, "k8s-render", *PARAMS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scripts/k8s-render" not in result.stdout
    documents = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert documents
    assert all(isinstance(d, dict) and "kind" in d for d in documents)
