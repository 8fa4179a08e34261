"""``reservations serve --cells 2`` as the cells' tests start it, and what they call it with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx

from reservations.cells.config import Cell, Cells
from tests.support import processes
from tests.support.server import start_serve


def cells_of(*capacities: int, endpoint: str = "http://127.0.0.1:9") -> Cells:
    """Cells of these capacities on one DynamoDB endpoint, apart by their table prefixes (tables and
    registries each their own, as two accounts' would be)."""
    return Cells(
        tuple(
            Cell(f"c{n}", endpoint, f"http://127.0.0.1:{n}", capacity=capacity, table_prefix=f"c{n}_")
            for n, capacity in enumerate(capacities, start=1)
        )
    )


@dataclass
class CellStack:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    keys: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "reservations", "tenants", *args, "--data-dir", str(self.data_dir)]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120, check=False)

    def create(self, name: str, *extra: str) -> str:
        """Places a customer (``extra``: ``--cell c2``); returns its cell."""
        done = self.cli("create", name, "--json", *extra)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        self.keys[name] = answer["api_key"]
        return str(answer["cell"])

    def headers(self, customer: str) -> dict[str, str]:
        return {"X-Customer": customer, "X-Api-Key": self.keys[customer]}

    def client(self, customer: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(customer), timeout=30)

    def endpoints(self) -> dict[str, str]:
        cells = json.loads((self.data_dir / "cells.json").read_text())["cells"]
        return {cell["name"]: cell["dynamodb_endpoint"] for cell in cells}

    def tables(self, cell: str) -> list[str]:
        """The tables in the cell's own DynamoDB endpoint (its account)."""
        client: Any = boto3.client("dynamodb", endpoint_url=self.endpoints()[cell], region_name="us-east-1")
        names: list[str] = client.list_tables()["TableNames"]
        client.close()
        return names

    def stop(self) -> None:
        processes.stop(self.process)


def start_cell_stack(tmp: Path) -> CellStack:
    data_dir = tmp / "data"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "POWERTOOLS_LOG_LEVEL": "WARNING"}
    process, url = start_serve(
        env, tmp / "serve-cells.log", "--cells", "2", "--data-dir", str(data_dir), timeout_s=120
    )
    return CellStack(url, data_dir, env, process)
