"""Installs a function's dependencies for the Lambda platform, from a local wheel cache.

Two steps so that a warm build never touches the network: ``pip install --no-index`` from the
cache first, and only when a wheel is missing ``pip download`` (which honours the machine's index
settings) fills the cache and the install is retried.  The install step runs with pip's own
configuration switched off, so a developer's ``find-links`` or constraint file cannot change what
goes into the zip.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reservations.build.project import RUNTIME_PROVIDED, Arch, Project, normalize, platform_tags

SITE_FORMAT = 1  # bump when what the builder does to an installed tree changes


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
    cache_dir: Path,
    scratch: Path,
    fresh: bool = False,
) -> tuple[Path, dict[str, str]]:
    """Installs ``requirements``; returns the directory they are in and the versions installed.

    The installed tree is kept under ``<cache_dir>/sites/<key>`` (the key covers the requirements,
    the lock, the platform and pip's version) and reused by later builds; ``fresh`` installs anew
    into ``scratch`` instead, leaving the cache alone.
    """
    wheels = cache_dir / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    with locked(cache_dir):
        key = _site_key(project, requirements, platform)
        cached = cache_dir / "sites" / key
        record = cached.parent / f"{key}.json"
        if not fresh and cached.is_dir() and record.is_file():
            site = cached
        else:
            target = scratch / "site"
            _pip_install(project, requirements, platform, target, wheels)
            if fresh:
                site = target
            else:
                record.unlink(missing_ok=True)
                for stale in cached.parent.glob(f"{key}.deps-v*.zip"):
                    stale.unlink()
                if cached.exists():
                    shutil.rmtree(cached)
                cached.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(target, cached)
                site = cached
        installed = installed_distributions(site)
        _check_pinned(project, installed)
        if site == cached and not record.is_file():
            record.write_text(json.dumps(installed, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return site, installed


def dependencies_zip(site: Path, zip_format: int, bytecode: str | None = None) -> Path:
    """Where the compressed dependencies of an installed tree are kept: beside it, per zip format
    and bytecode tag."""
    return site.parent / f"{site.name}.deps-v{zip_format}-{bytecode or 'source'}.zip"


def _site_key(project: Project, requirements: list[str], platform: Platform) -> str:
    try:
        constraints = project.constraints_file.read_bytes()
    except OSError as error:
        raise DependencyError(f"cannot read constraints.txt: {error}") from error
    material = {
        "format": SITE_FORMAT,
        "requirements": requirements,
        "constraints": hashlib.sha256(constraints).hexdigest(),
        "pip_args": platform.pip_args(),
        "pip": importlib.metadata.version("pip"),
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]
    return f"{platform.arch}-py{platform.python_version}-{digest}"


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One build at a time per cache: two ``pip`` runs must not write one file."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pip_install(
    project: Project, requirements: list[str], platform: Platform, target: Path, wheels: Path
) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    req_file = target.parent / "requirements.txt"
    req_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    common = ["-r", str(req_file), "-c", str(project.constraints_file), *platform.pip_args()]
    install_args = [
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
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
            ["download", "--progress-bar", "off", "-d", str(wheels), *common], dict(os.environ)
        )
        if download.returncode != 0:
            raise DependencyError(f"pip download failed: {_last_error(download.stdout + download.stderr)}")
        shutil.rmtree(target)
        target.mkdir()
        result = _run_pip(install_args, _clean_env())
        if result.returncode != 0:
            raise DependencyError(f"pip install failed: {_last_error(result.stdout + result.stderr)}")


def installed_distributions(site: Path) -> dict[str, str]:
    """Normalized name -> version of every ``*.dist-info`` in ``site``."""
    found: dict[str, str] = {}
    for info in sorted(site.glob("*.dist-info")):
        match = re.fullmatch(r"(.+)-([^-]+)\.dist-info", info.name)
        if match:
            found[normalize(match.group(1))] = match.group(2)
    return found


def check_no_runtime_copy(installed: dict[str, str]) -> None:
    """A dependency that pulls in the SDK would shadow the runtime's compiled copy in every cold start."""
    bundled = sorted(RUNTIME_PROVIDED & installed.keys())
    if bundled:
        raise DependencyError(
            f"a dependency pulls in {', '.join(bundled)}, which the Lambda runtime provides; "
            "the zip would import an uncompiled copy on every cold start"
        )


def _check_pinned(project: Project, installed: dict[str, str]) -> None:
    pins = project.pins()
    unpinned = [f"{name}=={version}" for name, version in installed.items() if pins.get(name) != version]
    if unpinned:
        raise DependencyError(
            f"not pinned by constraints.txt, so the zip would not be reproducible: {', '.join(unpinned)}"
        )
