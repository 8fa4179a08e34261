"""The stock ``schemathesis run --checks all`` CLI against a fresh ``reservations serve``: 0 failures.

An independent fuzzer reading only the published document (``/openapi.json``), with its default
phases and a new seed each run: every status, header and body as documented, 405 with ``Allow``,
valid requests accepted and invalid ones refused.  It runs exactly as the README says, from the
repository root: the only help it gets is the demo key, through the committed ``schemathesis.toml``
(no hooks): the served document itself states today's check-in window and what a cursor is.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reservations.settings import Settings
from tests.support.server import start_gateway

# A proof (the stock schemathesis CLI): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


# Its default phases take a few minutes on a busy machine (2 CPUs shared): more than the suite's 300 s.
@pytest.mark.timeout(900)
def test_stock_schemathesis_finds_nothing(tmp_path: Path) -> None:
    """The README's command as written, from the repository root, with its ``schemathesis.toml``."""
    gateway = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "data"), tmp_path)
    try:
        key = re.search(r"rsv_[A-Za-z0-9_-]+", gateway.log_path.read_text())
        assert key is not None
        result = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{gateway.url}/openapi.json", "--checks", "all"],
            cwd=ROOT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")},
                "RESERVATIONS_API_KEY": key.group(),
            },
            capture_output=True,
            text=True,
            timeout=840,
        )
    finally:
        gateway.stop()
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"\d+ generated, \d+ passed", report), report
    # A run that authenticated nowhere, or dropped a pattern, would pass without testing much.
    assert "Authentication failed" not in report, report
    assert "Unsupported regex" not in report, report
    assert re.search(r"Selected: (\d+)/\1\b", report), report
