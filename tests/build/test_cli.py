"""``reservations build``: usage errors are one line and exit 2; the documented form builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reservations.build.builder import default_build_id
from reservations.catalogue import FUNCTION_NAMES
from reservations.cli import app
from tests.support.builds import ROOT, Builds


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from reservations.cli import main; main()", *args],
        cwd=cwd,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_unknown_function_lists_the_valid_names_and_exits_2() -> None:
    completed = _cli("build", "nope")
    assert completed.returncode == 2
    assert (
        completed.stderr.strip()
        == f"reservations build: unknown function 'nope'; valid names: {', '.join(FUNCTION_NAMES)}"
    )
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--arch", "sparc"], "--arch must be one of x86_64, arm64"),
        (["add", "--build-id", "proj:1"], "build id 'proj:1' may hold only"),
        (["add", "--upload", "bucket/prefix"], "--upload wants s3://BUCKET[/PREFIX]"),
        (["add", "--python-version", "three"], "--python-version wants MAJOR.MINOR"),
        (["add", "--kms-key-id", "alias/artifacts"], "--kms-key-id encrypts an upload"),
    ],
)
def test_bad_options_are_one_line_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_outside_a_checkout_the_builder_says_so(tmp_path: Path) -> None:
    completed = _cli("build", "add", "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert completed.returncode == 1
    assert "no reservations checkout" in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("form", [["add"], ["function", "add"], ["tfvars"]])
def test_build_add_is_the_add_function_and_tfvars_stays_a_command(form: list[str]) -> None:
    """``build add`` routes to the function builder like ``build function add``; ``tfvars`` does not."""
    result = CliRunner().invoke(app, ["build", *form, "--help"])
    assert result.exit_code == 0
    if form == ["tfvars"]:
        assert "lambda_builds.auto.tfvars.json" in result.output
    else:
        assert "FUNCTION_NAME" in result.output
        assert "--upload" in result.output


@pytest.mark.slow
def test_env_file_exports_what_codebuild_passes_on(builds: Builds, tmp_path: Path) -> None:
    python = builds.get("delete").metadata.python_version
    env_file = tmp_path / "build.env"
    args = ["delete", "--out", str(tmp_path), "--python-version", python, "--build-id", "9"]
    result = CliRunner().invoke(app, ["build", *args, "--env-file", str(env_file)])
    assert result.exit_code == 0, result.output
    shell = subprocess.run(
        ["bash", "-c", f'. "{env_file}"; echo "$BUILD_ID|$SOURCE_CODE_HASH|$S3_KEY"'],
        capture_output=True,
        text=True,
        check=True,
    )
    meta = json.loads((tmp_path / "delete-9.json").read_text())
    assert shell.stdout.strip() == f"9|{meta['source_code_hash']}|"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "local"),
        ({"CODEBUILD_BUILD_NUMBER": "42", "CODEBUILD_BUILD_ID": "proj:abc"}, "42"),
        ({"CODEBUILD_BUILD_ID": "reservations-lambda:5f0c7e9e-aaaa"}, "reservations-lambda-5f0c7e9e-aaaa"),
    ],
)
def test_default_build_id_follows_codebuild(env: dict[str, str], expected: str) -> None:
    assert default_build_id(env) == expected


def test_an_unwritable_out_directory_is_one_line_not_a_traceback(builds: Builds, tmp_path: Path) -> None:
    python = builds.get("add").metadata.python_version
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = CliRunner().invoke(
        app, ["build", "add", "--out", str(blocker / "dist"), "--python-version", python]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("reservations build: Not a directory")
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_function_is_named_like_a_build_command() -> None:
    """``build NAME`` reads NAME as a command first: a function called ``tfvars`` could not be built."""
    from reservations.build.cli import app as build_app

    commands = {c.name for c in build_app.registered_commands}
    assert commands == {"function", "tfvars"}
    assert not commands & set(FUNCTION_NAMES)
