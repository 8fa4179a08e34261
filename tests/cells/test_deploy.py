"""Canary deploys cell by cell (``reservations cells deploy``), with a real Terraform.

A temporary cell root stands in for ``terraform/cell``: one builtin ``terraform_data`` resource (no
provider to download) whose input is the release, four cells in ``cells/*.tfvars``, local state per
workspace.  The health gates are a real HTTP server on 127.0.0.1 that answers 503 for the cells a
test calls unhealthy.  After a deploy stops, the state of each later cell is read: never applied.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real terraform init and applies

ROOT_TF = """
variable "cell" {
  type = string
}

variable "release" {
  type = string
}

variable "broken" {
  type    = bool
  default = false
}

resource "terraform_data" "release" {
  input = "${var.cell}@${var.release}"

  lifecycle {
    precondition {
      condition     = !var.broken
      error_message = "This cell's apply fails."
    }
  }
}
"""
CELLS = ("c1", "c2", "c3", "c4")


class Health:
    """``/<cell>/healthz`` answers 200, or 503 for the cells in ``sick``."""

    def __init__(self) -> None:
        self.sick: set[str] = set()
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                cell = self.path.strip("/").split("/")[0]
                self.send_response(503 if cell in health.sick else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def health() -> Iterator[Health]:
    served = Health()
    yield served
    served.server.shutdown()
    served.server.server_close()


def terraform(root: Path, *args: str, workspace: str | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("no terraform on PATH")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    env.pop("TF_WORKSPACE", None)
    if workspace is not None:
        env["TF_WORKSPACE"] = workspace
    return subprocess.run(
        [binary, f"-chdir={root}", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture
def root(tmp_path: Path, health: Health) -> Path:
    root = tmp_path / "cell"
    (root / "cells").mkdir(parents=True)
    (root / "main.tf").write_text(ROOT_TF, encoding="utf-8")
    (root / "terraform.tfvars").write_text('release = "v2"\n', encoding="utf-8")
    for cell in CELLS:
        (root / "cells" / f"{cell}.tfvars").write_text(f'cell = "{cell}"\n', encoding="utf-8")
    waves = {
        "canary": "c1",
        "wave_size": 2,
        "gate": {"attempts": 2, "interval_s": 0, "timeout_s": 5},
        "health": {cell: f"{health.url}/{cell}/healthz" for cell in CELLS},
    }
    (root / "waves.json").write_text(json.dumps(waves), encoding="utf-8")
    init = terraform(root, "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stderr
    health.sick.clear()
    return root


def released(root: Path, cell: str) -> str | None:
    """The release the cell's own state holds (None: never applied)."""
    listed = terraform(root, "workspace", "list").stdout.replace("*", " ").split()
    if cell not in listed:
        return None
    shown = terraform(root, "show", "-json", workspace=cell)
    assert shown.returncode == 0, shown.stderr
    resources = json.loads(shown.stdout).get("values", {}).get("root_module", {}).get("resources", [])
    inputs = [r["values"]["input"] for r in resources if r["type"] == "terraform_data"]
    return inputs[0] if inputs else None


def deploy(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Without ``--log-dir`` the logs go to a new folder under TMPDIR: the test's, not the machine's /tmp."""
    command = [sys.executable, "-m", "reservations", "cells", "deploy", "--root", str(root), *extra]
    (root / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(root / "tmp")}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, env=env)


def test_every_wave_applies_when_every_gate_passes(root: Path) -> None:
    shown = deploy(root, "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert [line.split()[:3:2] for line in shown.stdout.splitlines()] == [
        ["wave", "c1"],
        ["wave", "c2"],
        ["wave", "c4"],
    ]
    done = deploy(root, "--log-dir", str(root / "logs"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "all 4 cell(s) on the new version: c1, c2, c3, c4"
    assert [released(root, cell) for cell in CELLS] == [f"{cell}@v2" for cell in CELLS]


def test_a_failed_gate_stops_the_deploy_before_the_next_wave(root: Path, health: Health) -> None:
    health.sick.add("c3")  # in the second wave (c2 c3); c4 is the third
    done = deploy(root)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "c3's health gate failed (HTTP 503 from" in lines[0]
    assert lines[0].endswith("on the new version: c1, c2, c3 (unhealthy); not on it: c4"), lines[0]
    assert [released(root, cell) for cell in CELLS] == ["c1@v2", "c2@v2", "c3@v2", None]


def test_a_failed_canary_apply_leaves_every_other_cell_alone(root: Path) -> None:
    with (root / "cells" / "c1.tfvars").open("a", encoding="utf-8") as tfvars:
        tfvars.write("broken = true\n")
    done = deploy(root)
    assert done.returncode == 1
    assert "c1's apply failed (exit 1, log " in done.stderr
    assert done.stderr.strip().endswith("on the new version: none; not on it: c1 (apply failed), c2, c3, c4")
    assert [released(root, cell) for cell in CELLS] == [None, None, None, None]


def test_a_bad_waves_file_is_one_line_and_exit_2(root: Path) -> None:
    (root / "waves.json").write_text('{"canary": "c9", "health": {}}', encoding="utf-8")
    done = deploy(root)
    assert done.returncode == 2
    assert (
        done.stderr
        == "reservations cells deploy: waves.json: canary must be one of the cells (c1, c2, c3, c4)\n"
    )
    (root / "waves.json").write_text("{", encoding="utf-8")
    assert deploy(root).stderr.startswith("reservations cells deploy: the waves file ")
    (root / "waves.json").write_text('{"canary": "c1", "wave_size": 1.5, "health": {}}', encoding="utf-8")
    assert deploy(root).stderr == "reservations cells deploy: waves.json: wave_size must be a whole number\n"
