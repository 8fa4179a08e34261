"""``--arch arm64`` builds for Graviton: aarch64 wheels, whose compiled objects are aarch64 ELF files."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest

from reservations.build.builder import BuildRequest, build
from reservations.build.deps import locked
from reservations.build.project import LAMBDA_PYTHON_VERSION
from tests.support.builds import Builds

ELF_MACHINE = {62: "x86_64", 183: "aarch64"}


def _compiled(zip_path: Path, package: str) -> tuple[list[str], set[str]]:
    """The wheel tags of ``package`` and the ELF machine of each of its shared objects."""
    with zipfile.ZipFile(zip_path) as archive:
        wheel = next(n for n in archive.namelist() if re.fullmatch(rf"{package}-[^/]+\.dist-info/WHEEL", n))
        tags = [
            line.split(":", 1)[1].strip()
            for line in archive.read(wheel).decode().splitlines()
            if line.startswith("Tag:")
        ]
        machines = set()
        for name in archive.namelist():
            if name.startswith(f"{package}/") and ".so" in name.rsplit("/", 1)[-1]:
                header = archive.read(name)[:20]
                assert header[:4] == b"\x7fELF", name
                (machine,) = struct.unpack_from("<H", header, 18)
                machines.add(ELF_MACHINE.get(machine, str(machine)))
    return tags, machines


@pytest.mark.slow
def test_arm64_build_selects_aarch64_wheels_for_the_lambda_python(
    builds: Builds, shared_dir: Path, tmp_path: Path
) -> None:
    with locked(shared_dir):
        arm = build(
            builds.project,
            BuildRequest(function="cluster-up", build_id="arm", arch="arm64", out_dir=tmp_path),
        )
    assert arm.metadata.arch == "arm64"
    assert arm.metadata.python_version == LAMBDA_PYTHON_VERSION
    tags, machines = _compiled(arm.zip_path, "pydantic_core")
    cpython = "cp" + LAMBDA_PYTHON_VERSION.replace(".", "")
    assert tags
    assert all(tag.startswith(f"{cpython}-{cpython}-manylinux") for tag in tags), tags
    assert all(tag.endswith("_aarch64") for tag in tags), tags
    assert machines == {"aarch64"}

    # The session's default build of the same function is x86_64 throughout.
    x86_tags, x86_machines = _compiled(builds.get("cluster-up").zip_path, "pydantic_core")
    assert all(tag.endswith("_x86_64") for tag in x86_tags), x86_tags
    assert x86_machines == {"x86_64"}
    assert arm.metadata.dependencies == builds.get("cluster-up").metadata.dependencies
