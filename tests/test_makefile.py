"""The Makefile's guard against a venv made with the wrong Python (``requires-python >= 3.11``).

A venv built by an old interpreter stays broken until someone thinks of deleting it; ``make`` now
notices and rebuilds it.  Fake interpreters (small shell scripts) stand in for the old Python so
no real venv is built.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _old_python(venv: Path) -> None:
    _script(venv / "bin" / "python", 'case "$1" in -V) echo "Python 3.9.2";; *) exit 1;; esac')
    (venv / "bin" / ".installed").touch()


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MAKEFLAGS": ""},
    )


def test_a_venv_of_an_old_python_is_deleted_and_the_install_starts_again(tmp_path: Path):
    venv = tmp_path / "venv"
    _old_python(venv)
    log = tmp_path / "calls.log"
    # A stand-in for a good interpreter: passes the version check, records the venv it is asked for.
    good = _script(
        tmp_path / "python3.12",
        f'case "$1" in -V) echo "Python 3.12.1";; -c) exit 0;; *) echo "$@" >> {log}; exit 1;; esac',
    )
    result = _make("install", f"VENV={venv}", f"PYTHON={good}")
    assert f"{venv} was made with Python 3.9.2; rebuilding it with Python 3.12.1" in result.stderr
    assert not (venv / "bin" / ".installed").exists()
    assert log.read_text().split() == ["-m", "venv", str(venv)]


def test_a_good_venv_is_kept(tmp_path: Path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    result = _make("venv-check", f"VENV={venv}", f"PYTHON={sys.executable}")
    assert result.returncode == 0, result.stderr
    assert (venv / "bin" / "python").exists()


def test_an_old_interpreter_is_one_line_with_the_remedy(tmp_path: Path):
    old = _script(tmp_path / "python3", 'case "$1" in -V) echo "Python 3.9.2";; *) exit 1;; esac')
    result = _make("venv-check", f"VENV={tmp_path / 'venv'}", f"PYTHON={old}")
    assert result.returncode != 0
    assert f"Python >= 3.11 is needed, and {old} is Python 3.9.2" in result.stderr
    assert "make PYTHON=python3.12 run" in result.stderr
