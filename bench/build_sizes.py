"""Zip size and cold-start import time of each Lambda function, measured from its extracted zip.

Each function is built for this interpreter's Python (so its zip can be imported here), extracted
read-only as Lambda's ``/var/task`` is, and its handler module imported in a fresh isolated process
of an empty venv, ``RUNS`` times; the median is reported, minus the median of a process that imports
nothing (the interpreter's own start).  A second column imports after ``compileall`` has written
``.pyc`` files beside the sources: the time a zip that shipped bytecode would save.

    python -m bench.build_sizes            # writes bench/results/build_sizes.json
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from reservations.build.builder import BuildRequest, build
from reservations.build.project import Project, find_project_root
from reservations.catalogue import FUNCTION_NAMES, get_function

RUNS = 7
RESULTS = Path(__file__).parent / "results" / "build_sizes.json"
_PROBE = (
    "import sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "start = time.perf_counter()\n"
    "if sys.argv[2]:\n"
    "    __import__(sys.argv[2])\n"
    "print(time.perf_counter() - start)\n"
)


def _import_seconds(python: Path, task: Path, module: str, write_bytecode: bool) -> float:
    flags = ["-I"] if write_bytecode else ["-I", "-B"]
    samples = []
    for _ in range(RUNS):
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


def measure(root: Path, work: Path) -> list[dict[str, Any]]:
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
        cold = _import_seconds(python, task, module, write_bytecode=False)
        compiled = task.with_name(name + "-pyc")
        with zipfile.ZipFile(result.zip_path) as archive:
            archive.extractall(compiled)
        compileall.compile_dir(compiled, quiet=2)
        warm = _import_seconds(python, compiled, module, write_bytecode=True)
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
    baseline = _import_seconds(python, work, "", write_bytecode=False)
    for row in rows:
        row["import_s"] = round(row["import_s"] - baseline, 4)
        row["import_with_pyc_s"] = round(row["import_with_pyc_s"] - baseline, 4)
    return rows


def main() -> None:
    root = find_project_root(Path(__file__))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        rows = measure(root, Path(tmp))
    header = f"{'function':<14}{'zip':>10}{'unzipped':>11}{'own code':>10}{'import':>10}{'with .pyc':>11}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['function']:<14}{r['zip_bytes'] / 2**20:>8.1f}Mi{r['unzipped_bytes'] / 2**20:>9.1f}Mi"
            f"{r['own_code_bytes'] / 1024:>8.0f}Ki{r['import_s'] * 1000:>8.0f}ms{r['import_with_pyc_s'] * 1000:>9.0f}ms"
        )
    print(
        f"\nPython {sys.version.split()[0]}, median of {RUNS} isolated processes, interpreter start subtracted"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"python": sys.version.split()[0], "runs": RUNS, "functions": rows}
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
