"""A function module imported by a fresh interpreter, as Lambda's runtime imports it.

What a module does at import (hooks registered, the collector paused) is per process, so it is
seen only in a process of its own. SQLite stands in for the store: nothing here reaches AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from reservations import catalogue

# Every function on a request's path: the API functions and the authorizer.
REQUEST_PATH = [f for f in catalogue.FUNCTIONS if f.kind in ("api", "authorizer")]


def run_probe(
    probe: str, args: list[str], tmp_path: Path, env: dict[str, str], drop: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Runs ``probe`` with ``args``; its last line of output, JSON, is the answer."""
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    environment |= {"RESERVATIONS_STORE": "sqlite", "RESERVATIONS_DATA_DIR": str(tmp_path / "data"), **env}
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen
