"""The build suites' fixtures: the project, the directory every xdist worker sees, and the session's
zips (tests/support/builds.py builds each once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reservations.build.project import Project
from tests.support.builds import ROOT, Builds


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every xdist worker of this session sees (the parent of their base temps)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    path = shared / "build-shared"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def builds(project: Project, shared_dir: Path) -> Builds:
    """Each catalogue function built once per session for this interpreter's Python.

    The clean venv that imports a zip is made from this interpreter, so the zips target it; the
    Lambda runtime's 3.12 is built by the buildspec and aarch64 tests.
    """
    return Builds(project, shared_dir)
