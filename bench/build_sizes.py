"""Zip size and cold-start import time of each Lambda function, measured from its extracted zip.

Each function is built for this interpreter's Python (so its zip can be imported here), extracted
read-only as Lambda's ``/var/task`` is, and its handler module imported in a fresh isolated process
of an empty venv, ``--runs`` times; the median is reported, minus the median of a process that imports
nothing (the interpreter's own start).  A second column imports after ``compileall`` has written
``.pyc`` files beside the sources: the time a zip that shipped bytecode would save.

    python -m bench.build_sizes [--runs 7]   # writes bench/results/build_sizes.json and .md
"""

from __future__ import annotations

import argparse
import compileall
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
from reservations.catalogue import FUNCTION_NAMES, get_function

RUNS = 7
_PROBE = (
    "import sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "start = time.perf_counter()\n"
    "if sys.argv[2]:\n"
    "    __import__(sys.argv[2])\n"
    "print(time.perf_counter() - start)\n"
)


def _import_seconds(python: Path, task: Path, module: str, write_bytecode: bool, runs: int) -> float:
    flags = ["-I"] if write_bytecode else ["-I", "-B"]
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [str(python), *flags, "-c", _PROBE, str(task), module],
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
        cold = _import_seconds(python, task, module, write_bytecode=False, runs=runs)
        compiled = task.with_name(name + "-pyc")
        with zipfile.ZipFile(result.zip_path) as archive:
            archive.extractall(compiled)
        compileall.compile_dir(compiled, quiet=2)
        warm = _import_seconds(python, compiled, module, write_bytecode=True, runs=runs)
        rows.append(
            {
                "function": name,
                "zip_bytes": result.stats.size,
                "unzipped_bytes": result.stats.unzipped_size,
                "own_code_bytes": result.stats.app_size,
                "import_s": cold,
                "import_with_pyc_s": warm,
            }
        )
    baseline = _import_seconds(python, work, "", write_bytecode=False, runs=runs)
    for row in rows:
        row["import_s"] = round(row["import_s"] - baseline, 4)
        row["import_with_pyc_s"] = round(row["import_with_pyc_s"] - baseline, 4)
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.build_sizes", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="imports per function (median is reported)")
    args = parser.parse_args(argv)
    root = find_project_root(Path(__file__))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        rows = measure(root, Path(tmp), args.runs)
    headers = ["function", "zip MiB", "unzipped MiB", "own code KiB", "import ms", "import ms (with .pyc)"]
    cells = [
        [
            r["function"],
            r["zip_bytes"] / 2**20,
            r["unzipped_bytes"] / 2**20,
            r["own_code_bytes"] / 1024,
            r["import_s"] * 1000,
            r["import_with_pyc_s"] * 1000,
        ]
        for r in rows
    ]
    note = (
        f"Python {sys.version.split()[0]}; median of {args.runs} isolated processes per function, each importing "
        "its handler module from the extracted zip (read-only, no bytecode written), interpreter start "
        "subtracted. The last column is what shipping .pyc files would save."
    )
    markdown = table("Lambda zips: size and cold-start import", headers, cells) + "\n\n" + note
    data: dict[str, Any] = {"runs": args.runs, "revision": git_revision(), "functions": rows}
    write("build_sizes", data, markdown)
    return data


if __name__ == "__main__":
    main()
