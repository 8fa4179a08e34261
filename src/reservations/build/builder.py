"""Builds one function's zip: its dependencies for the Lambda platform plus its own modules.

The zip name carries the build ID (``<function>-<build_id>.zip``) and a metadata JSON sits beside it,
so Terraform can be told exactly which build to deploy and can verify it by ``source_code_hash``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reservations.build import deps, sources
from reservations.build.project import LAMBDA_PYTHON_VERSION, Arch, Project
from reservations.build.zipper import FORMAT as ZIP_FORMAT
from reservations.build.zipper import (
    ZipStats,
    bytecode_tag,
    site_entries,
    write_dependencies_zip,
    write_zip,
)
from reservations.catalogue import get_function

KIB = 1024
MIB = 1024 * KIB
# The package's own code in a zip (compressed): the functions need a few hundred KiB at most, so a
# larger one means something that is not Lambda code was pulled in.
APP_BUDGET = 512 * KIB
# Lambda's limits: 50 MiB zipped for a direct upload (we stay under it even though S3 allows more,
# since cold start grows with the zip) and 250 MiB unzipped, a hard limit.
ZIP_BUDGET = 50 * MIB
UNZIPPED_BUDGET = 250 * MIB

_BUILD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class BuildError(Exception):
    """The zip could not be built, or is over its size budget."""


def valid_build_id(build_id: str) -> bool:
    """Safe in a file name and an S3 key: letters, digits, ``.``, ``_`` and ``-``."""
    return _BUILD_ID.fullmatch(build_id) is not None


def default_build_id(environ: dict[str, str] | None = None) -> str:
    """CodeBuild's build number, else its build ID with ``:`` made safe, else ``local``."""
    env = os.environ if environ is None else environ
    number = env.get("CODEBUILD_BUILD_NUMBER", "").strip()
    if number:
        return number
    codebuild_id = env.get("CODEBUILD_BUILD_ID", "").strip()
    if codebuild_id:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", codebuild_id).strip("-.") or "local"
    return "local"


def source_revision(root: Path, environ: dict[str, str] | None = None) -> tuple[str | None, bool | None]:
    """The checkout's git commit and whether it has uncommitted changes (``None`` when unknown).

    CodeBuild sources from S3 or CodePipeline come without ``.git``; then the revision CodeBuild
    resolved is used.
    """
    env = os.environ if environ is None else environ
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
        if head.returncode == 0:
            status = subprocess.run(
                [
                    "git",
                    "-C",
                    str(root),
                    "status",
                    "--porcelain",
                    "--",
                    "src",
                    "pyproject.toml",
                    "constraints.txt",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
            return head.stdout.strip(), dirty
    except OSError:
        pass
    resolved = env.get("CODEBUILD_RESOLVED_SOURCE_VERSION") or None
    return resolved, None


@dataclass
class BuildMetadata:
    function: str
    build_id: str
    handler: str
    arch: str
    python_version: str
    zip: str
    sha256: str
    source_code_hash: str
    size: int
    unzipped_size: int
    app_size: int
    source_revision: str | None
    source_dirty: bool | None
    dependencies: dict[str, str] = field(default_factory=dict)
    bytecode: str | None = None  # the __pycache__ tag compiled for (cpython-312), None if none
    s3_bucket: str | None = None
    s3_key: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BuildMetadata:
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("metadata is not a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        missing = {"function", "build_id", "sha256", "source_code_hash"} - data.keys()
        if missing:
            raise ValueError(f"metadata lacks {', '.join(sorted(missing))}")
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class BuildRequest:
    function: str
    build_id: str = "local"
    arch: Arch = "x86_64"
    python_version: str = LAMBDA_PYTHON_VERSION
    out_dir: Path = Path("dist")
    cache_dir: Path | None = None  # default: <root>/build-cache
    fresh: bool = False  # install the dependencies anew instead of reusing the cached install
    # Ship bytecode: None compiles when this interpreter is the target's Python (as on CodeBuild's
    # python3.12 image), False never.  True insists, failing on any other interpreter.
    bytecode: bool | None = None


@dataclass(frozen=True)
class BuildResult:
    zip_path: Path
    metadata_path: Path
    metadata: BuildMetadata
    stats: ZipStats


def artifact_stem(function: str, build_id: str) -> str:
    return f"{function}-{build_id}"


def check_budget(stats: ZipStats) -> None:
    if stats.app_size > APP_BUDGET:
        raise BuildError(
            f"the package's own code is {stats.app_size / KIB:.0f} KiB, over its {APP_BUDGET // KIB} KiB budget"
        )
    if stats.size > ZIP_BUDGET:
        raise BuildError(f"the zip is {stats.size / MIB:.1f} MiB, over its {ZIP_BUDGET // MIB} MiB budget")
    if stats.unzipped_size > UNZIPPED_BUDGET:
        raise BuildError(
            f"the zip unpacks to {stats.unzipped_size / MIB:.1f} MiB, over Lambda's "
            f"{UNZIPPED_BUDGET // MIB} MiB limit"
        )


def target_bytecode(request: BuildRequest) -> str | None:
    """The bytecode tag the zip gets: only this interpreter's, and only if it is the target's Python."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    matches = sys.implementation.name == "cpython" and here == request.python_version
    if request.bytecode and not matches:
        raise BuildError(
            f"bytecode for Python {request.python_version} must be compiled by it; this is {here} "
            "(build on the runtime's Python, as CodeBuild's image does, or without bytecode)"
        )
    return bytecode_tag() if matches and request.bytecode is not False else None


def build(project: Project, request: BuildRequest) -> BuildResult:
    """Builds ``<out>/<function>-<build_id>.zip`` and its metadata JSON; refuses a zip over budget."""
    function = get_function(request.function)
    if not valid_build_id(request.build_id):
        raise BuildError(f"build id {request.build_id!r} may hold only letters, digits, '.', '_' and '-'")
    cache = request.cache_dir or project.root / "build-cache"
    app_files = sources.package_files(project.package_dir, function.module)
    platform = deps.Platform(request.arch, request.python_version)
    stem = artifact_stem(function.name, request.build_id)
    bytecode = target_bytecode(request)
    out_dir = request.out_dir
    with tempfile.TemporaryDirectory(prefix="reservations-build-") as tmp:
        site, installed = deps.install(
            project, project.requirements(function.name), platform, cache, Path(tmp), fresh=request.fresh
        )
        deps.check_no_runtime_copy(installed)
        # The dependencies' part is compressed (and compiled) once per installed tree, kept beside it.
        base = deps.dependencies_zip(site, ZIP_FORMAT, bytecode)
        if not base.is_file():
            write_dependencies_zip(base, site_entries(site), bytecode)
        try:
            stats = write_zip(
                Path(tmp) / "function.zip",
                base,
                app_files,
                app_prefix=sources.PACKAGE + "/",
                bytecode=bytecode,
            )
        except ValueError as error:
            raise BuildError(f"a dependency ships files of the package itself: {error}") from error
        check_budget(stats)
        out_dir.mkdir(parents=True, exist_ok=True)
        zip_path = out_dir / f"{stem}.zip"
        shutil.move(Path(tmp) / "function.zip", zip_path)
    revision, dirty = source_revision(project.root)
    metadata = BuildMetadata(
        function=function.name,
        build_id=request.build_id,
        handler=function.handler,
        arch=request.arch,
        python_version=request.python_version,
        zip=zip_path.name,
        sha256=stats.sha256,
        source_code_hash=stats.source_code_hash,
        size=stats.size,
        unzipped_size=stats.unzipped_size,
        app_size=stats.app_size,
        source_revision=revision,
        source_dirty=dirty,
        dependencies=installed,
        bytecode=bytecode,
    )
    metadata_path = out_dir / f"{stem}.json"
    metadata_path.write_text(metadata.to_json(), encoding="utf-8")
    return BuildResult(zip_path=zip_path, metadata_path=metadata_path, metadata=metadata, stats=stats)
