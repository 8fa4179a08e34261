"""Running one benchmark by hand neither rewrites the committed results nor floods the terminal.

`make bench` (and `make soak`) name the committed folder in RESERVATIONS_BENCH_RESULTS; anything else
writes to a scratch folder. moto's server, which the DynamoDB benchmarks start in process, would
otherwise log a line per call.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WRITE = "from bench.common import write; write('probe-results', {'n': 1}, '| probe |')"


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_a_benchmark_run_by_hand_writes_a_scratch_copy(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RESERVATIONS_BENCH_RESULTS"}
    env["TMPDIR"] = str(tmp_path)
    result = run(WRITE, env)
    assert not (ROOT / "bench" / "results" / "probe-results.json").exists()
    assert (tmp_path / "reservations-bench" / "probe-results.json").exists()
    assert "make bench` updates bench/results/" in result.stdout


def test_make_bench_names_the_committed_folder(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "RESERVATIONS_BENCH_RESULTS=$(CURDIR)/bench/results" in recipe
    env = {**os.environ, "RESERVATIONS_BENCH_RESULTS": str(tmp_path / "committed")}
    run(WRITE, env)
    assert (tmp_path / "committed" / "probe-results.json").exists()


@pytest.mark.slow
def test_moto_started_by_a_benchmark_does_not_log_every_call() -> None:
    code = (
        "import boto3\n"
        "from bench.servers import moto\n"
        "with moto('dynamodb') as endpoint:\n"
        "    client = boto3.client('dynamodb', endpoint_url=endpoint, region_name='us-east-1')\n"
        "    for _ in range(5):\n"
        "        client.list_tables()\n"
    )
    result = run(code, {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"})
    assert "POST / HTTP" not in result.stderr + result.stdout


def test_the_benchmarks_page_is_what_the_committed_results_render() -> None:
    """A benchmark run into bench/results by hand, its page left behind, fails here (docs/benchmarks.md
    is written by scripts/bench-readme.py, never by hand)."""
    checked = subprocess.run(
        [sys.executable, "scripts/bench-readme.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
