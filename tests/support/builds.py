"""The build suites' zips: each catalogue function built once per session, under a lock, in a
directory every xdist worker sees (building with pip for the Lambda platform takes seconds a function)."""

from __future__ import annotations

import sys
from pathlib import Path

from reservations.build.builder import BuildMetadata, BuildRequest, BuildResult, build
from reservations.build.deps import locked
from reservations.build.project import Project, find_project_root
from reservations.build.zipper import ZipStats

ROOT = find_project_root(Path(__file__))
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


class Builds:
    """The session's zips, built on first use under the shared lock (build id ``session``)."""

    def __init__(self, project: Project, shared_dir: Path) -> None:
        self.project = project
        self.shared_dir = shared_dir
        self.out = shared_dir / "dist"
        self._results: dict[str, BuildResult] = {}

    def get(self, name: str) -> BuildResult:
        if name not in self._results:
            with locked(self.shared_dir):
                done = self._load(name)
                if done is None:
                    request = BuildRequest(
                        function=name, build_id="session", python_version=LOCAL_PYTHON, out_dir=self.out
                    )
                    done = build(self.project, request)
            self._results[name] = done
        return self._results[name]

    def _load(self, name: str) -> BuildResult | None:
        meta_path = self.out / f"{name}-session.json"
        zip_path = self.out / f"{name}-session.zip"
        if not (meta_path.is_file() and zip_path.is_file()):
            return None
        meta = BuildMetadata.from_json(meta_path.read_text())
        stats = ZipStats(meta.sha256, meta.size, meta.unzipped_size, 0, meta.app_size)
        return BuildResult(zip_path, meta_path, meta, stats)
