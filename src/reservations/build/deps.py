"""Installs a function's dependencies for the Lambda platform, from a local wheel cache.

Two steps so that a warm build never touches the network: ``pip install --no-index`` from the
cache first, and only when a wheel is missing ``pip download`` (which honours the machine's index
settings) fills the cache and the install is retried.  The install step runs with pip's own
configuration switched off, so a developer's ``find-links`` or constraint file cannot change what
goes into the zip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reservations.build.project import Arch, Project, normalize, platform_tags


class DependencyError(Exception):
    """pip could not install the dependencies, or installed one the lock does not pin."""


@dataclass(frozen=True)
class Platform:
    arch: Arch
    python_version: str  # "3.12"

    def pip_args(self) -> list[str]:
        args: list[str] = []
        for tag in platform_tags(self.arch):
            args += ["--platform", tag]
        return [
            *args,
            "--python-version",
            self.python_version,
            "--implementation",
            "cp",
            "--only-binary=:all:",
        ]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["pip failed"])[-1]


def _run_pip(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def install(
    project: Project,
    requirements: list[str],
    platform: Platform,
    target: Path,
    wheel_cache: Path,
) -> dict[str, str]:
    """Installs ``requirements`` into ``target``; returns the installed distributions and versions."""
    wheel_cache.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    req_file = target.parent / "requirements.txt"
    req_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    common = ["-r", str(req_file), "-c", str(project.constraints_file), *platform.pip_args()]
    install_args = [
        "install",
        "--no-index",
        "--find-links",
        str(wheel_cache),
        "--target",
        str(target),
        "--no-compile",
        "--no-warn-script-location",
        "--progress-bar",
        "off",
        *common,
    ]
    result = _run_pip(install_args, _clean_env())
    if result.returncode != 0:
        download = _run_pip(
            ["download", "--progress-bar", "off", "-d", str(wheel_cache), *common], dict(os.environ)
        )
        if download.returncode != 0:
            raise DependencyError(f"pip download failed: {_last_error(download.stdout + download.stderr)}")
        for leftover in list(target.iterdir()):
            _remove(leftover)
        result = _run_pip(install_args, _clean_env())
        if result.returncode != 0:
            raise DependencyError(f"pip install failed: {_last_error(result.stdout + result.stderr)}")
    installed = installed_distributions(target)
    _check_pinned(project, installed)
    return installed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def installed_distributions(site: Path) -> dict[str, str]:
    """Normalized name -> version of every ``*.dist-info`` in ``site``."""
    found: dict[str, str] = {}
    for info in sorted(site.glob("*.dist-info")):
        match = re.fullmatch(r"(.+)-([^-]+)\.dist-info", info.name)
        if match:
            found[normalize(match.group(1))] = match.group(2)
    return found


def _check_pinned(project: Project, installed: dict[str, str]) -> None:
    pins = project.pins()
    unpinned = [f"{name}=={version}" for name, version in installed.items() if pins.get(name) != version]
    if unpinned:
        raise DependencyError(
            f"not pinned by constraints.txt, so the zip would not be reproducible: {', '.join(unpinned)}"
        )
