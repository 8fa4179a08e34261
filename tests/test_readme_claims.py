"""What the README tells a newcomer instead of letting them guess, checked against what the code does.

Each test reads the claim out of the README and runs the thing it describes, so a README that drifts
from the code fails here, and so does code that drifts from the README.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer

from reservations.cli import app
from reservations.domain.tenancy import new_api_key
from reservations.settings import default_data_dir

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _claim(pattern: str) -> re.Match[str]:
    found = re.search(pattern, README)
    assert found is not None, f"the README no longer says {pattern!r}"
    return found


def test_the_python_the_readme_asks_for_is_the_one_pip_and_make_require() -> None:
    stated = _claim(r"Python ≥ (\d+)\.(\d+)").groups()
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == f">={stated[0]}.{stated[1]}"
    assert f"sys.version_info < ({stated[0]}, {stated[1]})" in (ROOT / "Makefile").read_text()


def test_the_run_args_examples_reach_serve_as_options_it_has() -> None:
    examples = re.findall(r'make run RUN_ARGS="([^"]+)"', README)
    assert examples, "the README shows no RUN_ARGS example"
    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    options = {opt for param in serve.params for opt in param.opts}
    for example in examples:
        words = shlex.split(example)
        assert {w for w in words if w.startswith("--")} <= options, example
        dry = subprocess.run(
            ["make", "-n", "--no-print-directory", "run", f"RUN_ARGS={example}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "MAKEFLAGS": ""},
        )
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.splitlines()[-1].endswith(f"reservations serve {example}"), dry.stdout


def test_the_data_lives_where_the_readme_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    default, with_xdg = _claim(r"The data lives in `([^`]+)`\s+\(`([^`;]+)`").groups()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_data_dir() == Path(default.replace("~", str(tmp_path / "home"), 1))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == Path(with_xdg.replace("$XDG_DATA_HOME", str(tmp_path / "xdg")))


def test_the_key_the_tour_asks_to_paste_looks_like_the_keys_serve_prints() -> None:
    prefix = _claim(r"\bKEY=([a-z]+_)\.\.\.").group(1)
    assert new_api_key().startswith(prefix)


@pytest.mark.slow
def test_the_credentials_the_readme_exports_are_enough_for_a_local_dynamodb(
    moto_server: str, tmp_path: Path
) -> None:
    """Without credentials the command fails in one line (exit 1); with the README's dummy ones it works."""
    exports = dict(
        word.split("=", 1) for word in shlex.split(_claim(r"`export (AWS_ACCESS_KEY_ID=[^`]+)`").group(1))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RESERVATIONS_"))}
    env |= {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env |= {"AWS_EC2_METADATA_DISABLED": "true", "XDG_CONFIG_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "reservations", "tenants", "list", "--store", "dynamodb"]
    command += ["--dynamodb-endpoint", moto_server]
    without = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert without.returncode == 1
    assert len(without.stderr.strip().splitlines()) == 1, without.stderr
    with_them = subprocess.run(command, env=env | exports, capture_output=True, text=True, timeout=60)
    assert with_them.returncode == 0, with_them.stderr
