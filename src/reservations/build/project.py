"""What a function zip is made of, read from the checkout: its dependencies, their pins, its platform.

The Lambda runtime dependencies are exactly ``[project] dependencies`` of ``pyproject.toml`` (plus an
extra for the functions that need one), pinned by ``constraints.txt``: the same lock that the
developers' and CI's venvs are installed from, so a zip carries the versions the tests ran against.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reservations.catalogue import FUNCTION_NAMES

Arch = Literal["x86_64", "arm64"]
ARCHES: tuple[Arch, ...] = ("x86_64", "arm64")

# The Lambda runtime the zips target (``python3.12``): its CPython version and its glibc (Amazon
# Linux 2023 has 2.34), so any manylinux wheel up to 2.34 runs there.
LAMBDA_PYTHON_VERSION = "3.12"
_MANYLINUX = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")
_MACHINE: dict[Arch, str] = {"x86_64": "x86_64", "arm64": "aarch64"}

# What the Lambda Python runtime already carries, precompiled: the AWS SDK.  The zips leave it out, so
# a cold start imports the runtime's compiled botocore instead of compiling a bundled copy from source
# on a read-only /var/task (measured by bench/cold_start.py: about 2.6 x the floor bundled, 1.2 x not).
# ``[project] dependencies`` pins boto3 to the range the runtime ships; the lock pins the version the
# tests run the zips against (installed beside them as the stand-in for the runtime, see runtime.py).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

# Extras a function needs beyond ``[project] dependencies``.  Keyed by catalogue name; a test checks
# every key is one, so a renamed function cannot silently lose its dependencies.
FUNCTION_EXTRAS: dict[str, tuple[str, ...]] = {
    "cluster-up": ("cluster",),
}


class ProjectError(Exception):
    """The checkout cannot be built (no pyproject.toml, a dependency without a pin ...)."""


def platform_tags(arch: Arch) -> list[str]:
    """The ``pip --platform`` tags of a Lambda architecture, oldest glibc first."""
    machine = _MACHINE[arch]
    return [f"{tag}_{machine}" for tag in _MANYLINUX]


def wheel_machine(arch: Arch) -> str:
    """The machine name that wheel tags and ELF headers use for ``arch``."""
    return _MACHINE[arch]


def normalize(name: str) -> str:
    """PEP 503 name, so ``aws_lambda_powertools`` and ``aws-lambda-powertools`` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding this project's ``pyproject.toml``."""
    for candidate in (start.resolve(), *start.resolve().parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and (candidate / "src" / "reservations").is_dir():
            return candidate
    raise ProjectError(f"no reservations checkout (pyproject.toml with src/reservations) at or above {start}")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def package_dir(self) -> Path:
        return self.root / "src" / "reservations"

    @property
    def constraints_file(self) -> Path:
        return self.root / "constraints.txt"

    def _pyproject(self) -> dict[str, object]:
        try:
            with (self.root / "pyproject.toml").open("rb") as handle:
                return tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ProjectError(f"cannot read pyproject.toml: {error}") from error

    def requirements(self, function: str) -> list[str]:
        """What ``function``'s zip carries: the package's dependencies plus its extras, less the SDK."""
        return [r for r in self.all_requirements(function) if not provided_by_runtime(r)]

    def runtime_requirements(self) -> list[str]:
        """What the runtime provides, at the lock's versions: the stand-in for Lambda's own SDK."""
        pins = self.pins()
        missing = sorted(RUNTIME_PROVIDED - pins.keys())
        if missing:
            raise ProjectError(f"constraints.txt does not pin {', '.join(missing)}")
        return [f"{name}=={pins[name]}" for name in sorted(RUNTIME_PROVIDED)]

    def all_requirements(self, function: str) -> list[str]:
        """The requirement strings of ``function``: the package's dependencies plus its extras."""
        project = self._pyproject().get("project")
        if not isinstance(project, dict):
            raise ProjectError("pyproject.toml has no [project] table")
        requirements = [str(r) for r in project.get("dependencies", [])]
        optional = project.get("optional-dependencies", {})
        for extra in FUNCTION_EXTRAS.get(function, ()):
            if extra not in optional:
                raise ProjectError(f"pyproject.toml has no extra {extra!r} (needed by {function})")
            requirements.extend(str(r) for r in optional[extra])
        return requirements

    def pins(self) -> dict[str, str]:
        """``constraints.txt`` as normalized name -> exact version."""
        try:
            text = self.constraints_file.read_text(encoding="utf-8")
        except OSError as error:
            raise ProjectError(f"cannot read constraints.txt: {error}") from error
        pins: dict[str, str] = {}
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
            if match:
                pins[normalize(match.group(1))] = match.group(2)
        return pins


def provided_by_runtime(requirement: str) -> bool:
    """Whether a requirement string names a distribution the Lambda runtime already has."""
    match = _REQUIREMENT_NAME.match(requirement)
    return match is not None and normalize(match.group(1)) in RUNTIME_PROVIDED


def check_extras_map() -> list[str]:
    """Names in ``FUNCTION_EXTRAS`` that the catalogue does not know (should be none)."""
    return [name for name in FUNCTION_EXTRAS if name not in FUNCTION_NAMES]
