"""Zip size and cold-start import time of each Lambda function, measured from its extracted zip.

Each function is built for this interpreter's Python (so the bytecode it ships loads here), extracted
read-only as Lambda's ``/var/task`` is, and its handler module imported in a fresh isolated process
of an empty venv with the runtime's compiled SDK behind it (``reservations.build.runtime``),
``--runs`` times; the median is reported, minus the median of a process that imports nothing (the
interpreter's own start).

    python -m bench.build_sizes [--runs 7]   # writes bench/results/build_sizes.json and .md
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench.common import git_revision, table, write
from reservations.build.builder import BuildRequest, build
from reservations.build.project import Project, find_project_root
from reservations.build.runtime import runtime_site
from reservations.catalogue import FUNCTION_NAMES, get_function

RUNS = 7
_PROBE = (
    "import sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "sys.path.append(sys.argv[2])\n"
    "start = time.perf_counter()\n"
    "if sys.argv[3]:\n"
    "    __import__(sys.argv[3])\n"
    "print(time.perf_counter() - start)\n"
)


def _import_seconds(python: Path, task: Path, runtime: Path, module: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [str(python), "-I", "-B", "-c", _PROBE, str(task), str(runtime), module],
            cwd=task,
            env={"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1"},
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def measure(root: Path, work: Path, runs: int) -> list[dict[str, Any]]:
    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    runtime = runtime_site(Project(root))
    rows: list[dict[str, Any]] = []
    for name in FUNCTION_NAMES:
        module = get_function(name).module
        result = build(
            Project(root),
            BuildRequest(
                function=name, build_id="bench", python_version=python_version, out_dir=work / "dist"
            ),
        )
        task = work / "task" / name
        with zipfile.ZipFile(result.zip_path) as archive:
            archive.extractall(task)
        for path in [*task.rglob("*"), task]:  # /var/task is read-only
            path.chmod(0o555 if path.is_dir() else 0o444)
        rows.append(
            {
                "function": name,
                "zip_bytes": result.stats.size,
                "unzipped_bytes": result.stats.unzipped_size,
                "own_code_bytes": result.stats.app_size,
                "bytecode": result.metadata.bytecode,
                "import_s": _import_seconds(python, task, runtime, module, runs),
            }
        )
    baseline = _import_seconds(python, work, runtime, "", runs)
    for row in rows:
        row["import_s"] = round(row["import_s"] - baseline, 4)
    for path in work.rglob("*"):  # so the temporary directory can be removed
        if path.is_dir():
            path.chmod(0o755)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.build_sizes", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="imports per function (median is reported)")
    args = parser.parse_args(argv)
    root = find_project_root(Path(__file__))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        rows = measure(root, Path(tmp), args.runs)
    headers = ["function", "zip MiB", "unzipped MiB", "own code KiB", "bytecode", "import ms"]
    cells = [
        [
            r["function"],
            r["zip_bytes"] / 2**20,
            r["unzipped_bytes"] / 2**20,
            r["own_code_bytes"] / 1024,
            r["bytecode"] or "none",
            r["import_s"] * 1000,
        ]
        for r in rows
    ]
    note = (
        f"Python {sys.version.split()[0]}; median of {args.runs} isolated processes per function, each importing "
        "its handler module from the extracted zip (read-only, no bytecode written) with the runtime's "
        "compiled boto3 behind it (the zips leave the SDK to the runtime), interpreter start subtracted."
    )
    markdown = table("Lambda zips: size and cold-start import", headers, cells) + "\n\n" + note
    data: dict[str, Any] = {"runs": args.runs, "revision": git_revision(), "functions": rows}
    write("build_sizes", data, markdown)
    return data


if __name__ == "__main__":
    main()
