"""A stand-in for what the Lambda Python runtime puts behind ``/var/task``: its own compiled SDK.

The zips leave boto3 and botocore out (``project.RUNTIME_PROVIDED``) because the runtime has them,
with bytecode.  Anything that runs a zip the way Lambda does (the tests that import each zip in an
empty interpreter, ``bench/cold_start.py``) needs that SDK beside it: this installs the lock's
versions for the target platform, from the same wheel cache as the builds, and compiles them once,
as the runtime image ships them.  Compiling needs the target's Python, so this interpreter must be it.
"""

from __future__ import annotations

import compileall
import sys
import tempfile
from pathlib import Path

from reservations.build import deps
from reservations.build.project import Arch, Project


class RuntimeSiteError(Exception):
    """The stand-in runtime cannot be made for that Python (compiling needs that very interpreter)."""


def runtime_site(project: Project, arch: Arch = "x86_64", cache_dir: Path | None = None) -> Path:
    """The directory holding the runtime's SDK for this interpreter's Python, compiled; cached."""
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    cache = cache_dir or project.root / "build-cache"
    with tempfile.TemporaryDirectory(prefix="reservations-runtime-") as scratch:
        site, _ = deps.install(
            project,
            project.runtime_requirements(),
            deps.Platform(arch, python_version),
            cache,
            Path(scratch),
        )
    # Idempotent and quick once done: compileall skips modules whose bytecode is current.
    if not compileall.compile_dir(str(site), quiet=2, workers=1):
        raise RuntimeSiteError(f"the runtime's SDK in {site} does not compile on Python {python_version}")
    return site
