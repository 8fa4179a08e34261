"""``buildspec.yml``: its shape as CodeBuild reads it, and its build phases run for real against moto's S3.

The run copies the checkout's sources to a temporary directory (so ``dist/`` never lands in the
repo), runs ``pre_build`` and ``build`` in one bash as CodeBuild does with buildspec 0.2 (variables
set by one command are seen by the next), then reads the exported variables.  The ``install`` phase
is checked by its text: the venv running the tests already holds what it installs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from reservations.build.deps import locked
from reservations.build.project import LAMBDA_PYTHON_VERSION
from tests.support.builds import ROOT

BUILDSPEC = ROOT / "buildspec.yml"
REQUIRED_INPUTS = {"FUNCTION_NAME", "ARTIFACTS_BUCKET"}
CODEBUILD_PROVIDED = {"CODEBUILD_BUILD_NUMBER", "CODEBUILD_BUILD_ID", "CODEBUILD_RESOLVED_SOURCE_VERSION"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BUILDSPEC.read_text())
    return data


def _commands(spec: dict[str, Any], phase: str) -> list[str]:
    return [str(c) for c in spec["phases"][phase]["commands"]]


def test_buildspec_has_the_shape_codebuild_expects(spec: dict[str, Any]) -> None:
    assert str(spec["version"]) == "0.2"
    assert set(spec["phases"]) == {"install", "pre_build", "build"}
    assert str(spec["phases"]["install"]["runtime-versions"]["python"]) == LAMBDA_PYTHON_VERSION
    assert {"BUILD_ID", "SOURCE_CODE_HASH"} <= set(spec["env"]["exported-variables"])
    install = " ".join(_commands(spec, "install"))
    assert "-c constraints.txt" in install  # the builder is installed from the lock ...
    assert '".[client]"' in install  # ... and from this checkout
    assert any("build-cache" in p for p in spec["cache"]["paths"])


def test_every_variable_it_reads_is_defaulted_required_or_from_codebuild(spec: dict[str, Any]) -> None:
    text = " ".join(c for phase in spec["phases"] for c in _commands(spec, phase))
    read = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", text))
    defaulted = set(spec["env"]["variables"])
    exported = set(spec["env"]["exported-variables"])
    assert read >= REQUIRED_INPUTS
    assert read <= defaulted | REQUIRED_INPUTS | CODEBUILD_PROVIDED | exported
    # pre_build refuses to start without each required input
    pre_build = " ".join(_commands(spec, "pre_build"))
    for name in REQUIRED_INPUTS:
        assert f"${{{name}:-}}" in pre_build


def _run_phases(
    spec: dict[str, Any], workdir: Path, env: dict[str, str], phases: list[str]
) -> dict[str, str]:
    exported = [str(v) for v in spec["env"]["exported-variables"]]
    # A buildspec's env.variables are defaults: the project's and start-build's values win.
    defaults = "".join(f'export {k}="${{{k}-{v!s}}}"\n' for k, v in spec["env"]["variables"].items())
    body = "\n".join(c for phase in phases for c in _commands(spec, phase))
    report = "".join(f'printf "%s=%s\\n" {v} "${{{v}:-}}" >> exported.txt\n' for v in exported)
    script = f"set -eo pipefail\n{defaults}{body}\n{report}"
    completed = subprocess.run(
        ["bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    pairs = (line.split("=", 1) for line in (workdir / "exported.txt").read_text().splitlines())
    return dict(pairs)


def _checkout_copy(tmp_path: Path) -> Path:
    work = tmp_path / "src-checkout"
    shutil.copytree(ROOT / "src", work / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "constraints.txt", "buildspec.yml"):
        shutil.copy2(ROOT / name, work / name)
    (ROOT / "build-cache").mkdir(exist_ok=True)
    (work / "build-cache").symlink_to(ROOT / "build-cache")  # the repo's warm wheel cache
    return work


def _env(moto_endpoint: str, **extra: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    keep = {
        k: v for k, v in os.environ.items() if k.startswith(("AWS_", "PIP_")) or k in ("HOME", "PYTHONPATH")
    }
    return {
        **keep,
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "AWS_ENDPOINT_URL": moto_endpoint,
        "CODEBUILD_BUILD_ID": "reservations-lambda:5f0c7e9e-0000-4000-8000-000000000000",
        **extra,
    }


@pytest.mark.slow
def test_build_phases_upload_the_function_and_export_its_hash(
    spec: dict[str, Any], moto_endpoint: str, tmp_path: Path, shared_dir: Path
) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket="reservations-artifacts")
    kms_key = boto3.client("kms", endpoint_url=moto_endpoint).create_key()["KeyMetadata"]["Arn"]
    work = _checkout_copy(tmp_path)
    env = _env(
        moto_endpoint,
        FUNCTION_NAME="authorizer",
        ARTIFACTS_BUCKET="reservations-artifacts",
        CODEBUILD_BUILD_NUMBER="17",
        ARTIFACTS_PREFIX="lambda",  # as the Terraform build module sets it on the project
        ARTIFACTS_KMS_KEY_ID=kms_key,
    )
    with locked(shared_dir):
        exported = _run_phases(spec, work, env, ["pre_build", "build"])
    assert exported["BUILD_ID"] == "17"
    assert exported["S3_KEY"] == "lambda/authorizer/authorizer-17.zip"
    body = s3.get_object(Bucket="reservations-artifacts", Key=exported["S3_KEY"])["Body"].read()
    assert exported["SOURCE_CODE_HASH"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    for key in (exported["S3_KEY"], "lambda/authorizer/authorizer-17.json"):
        head = s3.head_object(Bucket="reservations-artifacts", Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"  # the bucket's key, passed on by the buildspec
    assert (work / "dist" / "authorizer-17.zip").read_bytes() == body


def test_pre_build_stops_a_build_without_its_inputs(
    spec: dict[str, Any], moto_endpoint: str, tmp_path: Path
) -> None:
    env = _env(moto_endpoint, ARTIFACTS_BUCKET="reservations-artifacts")
    script = "set -eo pipefail\n" + "\n".join(_commands(spec, "pre_build"))
    completed = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "FUNCTION_NAME is not set" in completed.stderr
