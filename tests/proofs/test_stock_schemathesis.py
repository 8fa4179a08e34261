"""The stock ``schemathesis run --checks all`` CLI against a fresh ``reservations serve``: 0 failures.

An independent fuzzer reading only the published document (``/openapi.json``), with its default
phases and a new seed each run: every status, header and body as documented, 405 with ``Allow``,
valid requests accepted and invalid ones refused.  The only help it gets is the demo key (the
document's security schemes) and ``stock_hooks``, which keeps valid cases inside the rules the
document states in words (a check-in window that moves daily, cursors the API issued).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from reservations.settings import Settings
from tests.conftest import start_gateway

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_stock_schemathesis_finds_nothing(tmp_path: Path) -> None:
    gateway = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "data"), tmp_path)
    try:
        key = re.search(r"rsv_[A-Za-z0-9_-]+", gateway.log_path.read_text())
        assert key is not None
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            "\n".join(
                [
                    "[auth.openapi.ApiKey]",
                    f'api_key = "{key.group()}"',
                    "[auth.openapi.Customer]",
                    'api_key = "demo"',
                    "[auth.openapi.LegacyCustomer]",
                    'api_key = "demo"',
                ]
            )
        )
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{gateway.url}/openapi.json",
                "--checks",
                "all",
            ],
            cwd=tmp_path,  # schemathesis keeps a cache in its working directory
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.proofs.stock_hooks", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
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
