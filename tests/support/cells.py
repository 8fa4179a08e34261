"""``reservations serve --cells 2`` as the tests start it: a ``Gateway`` like any other (one URL, a key
per customer), plus the cells' side: its ``tenants`` commands, each customer's cell and each cell's
own DynamoDB endpoint, where the suites check that a customer's data is in its own cell only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx

from reservations.cells.config import Cell, Cells
from reservations.domain.tenancy import CUSTOMER_NAME_RE, normalize_customer
from reservations.settings import Settings
from reservations.stores import open_registry
from reservations.stores.protocols import Registry
from tests.support.server import Gateway, start_serve


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
class CellStack(Gateway):
    """``settings`` are the directory's (the data folder's SQLite file); the cells' own are in the
    cells file the stack writes."""

    homes: dict[str, str] = field(default_factory=dict)  # customer -> cell, as placed here

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "reservations", "tenants", *args, "--data-dir", str(self.data_dir)]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120, check=False)

    def create(self, name: str, *extra: str) -> str:
        """Places a customer (``extra``: ``--cell c2``); returns its cell."""
        done = self.cli("create", name, "--json", *extra)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        self.keys[name] = answer["api_key"]
        self.homes[name] = str(answer["cell"])
        self.routed(name)
        return self.homes[name]

    def routed(self, name: str) -> None:
        """Waits for the edge's next poll of the directory (nginx reloads after it): until then a
        customer just placed is unknown there, and answered 401 as a bad key is."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if httpx.get(f"{self.url}/rooms", headers=self.headers(name), timeout=30).status_code != 401:
                return
            time.sleep(0.05)
        raise AssertionError(f"the edge never routed {name}")

    def create_customer(self, name: str, cell: str = "c1") -> str:
        """As the one-deployment gateway's, in ``cell`` (the suites place ``star`` and ``moon`` apart)."""
        assert self.create(name, "--cell", cell) == cell
        return self.keys[name]

    def refusal(self, key_owner: str, customer: str) -> int:
        """Only the customer's own cell checks the key (docs/cells.md, "Routing"): a cell holding both
        customers knows the key and says 403, one that does not never saw it and says 401, and the
        edge says 401 for a customer in no cell.  A name that is no customer's name at all is sent
        to the first cell, whose own validation answers it."""
        named = normalize_customer(customer)
        cell = self.homes.get(named) if CUSTOMER_NAME_RE.fullmatch(named) else "c1"
        return 403 if cell is not None and cell == self.homes[key_owner] else 401

    def demo_key(self) -> str:
        """The key ``serve --cells`` printed for its demo customer."""
        return demo_key(self.log_path)

    def client(self, customer: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(customer), timeout=30)

    def endpoints(self) -> dict[str, str]:
        return cell_endpoints(self.data_dir)

    def tables(self, cell: str) -> list[str]:
        """The tables in the cell's own DynamoDB endpoint (its account)."""
        return tables_at(self.endpoints()[cell])


def cell_endpoints(data_dir: Path) -> dict[str, str]:
    """Each cell's DynamoDB endpoint, from the cells file of the stack running on ``data_dir``."""
    cells = json.loads((data_dir / "cells.json").read_text())["cells"]
    return {cell["name"]: cell["dynamodb_endpoint"] for cell in cells}


def tables_at(endpoint: str) -> list[str]:
    client: Any = boto3.client(  # moto on loopback: any credentials, given so none are looked for
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="cells-test",
        aws_secret_access_key="cells-test",
    )
    names: list[str] = client.list_tables()["TableNames"]
    client.close()
    return names


def misplaced_data(data_dir: Path, homes: dict[str, str]) -> list[str]:
    """What is wrong with "a customer's data is only in its cell's endpoint" for the customers in
    ``homes`` (customer -> cell): each must have its table at its own cell's endpoint and at no other."""
    found = {cell: set(tables_at(endpoint)) for cell, endpoint in cell_endpoints(data_dir).items()}
    wrong = []
    for customer, home in sorted(homes.items()):
        table = f"{customer}-reservations"
        holders = sorted(cell for cell, names in found.items() if table in names)
        if holders != [home]:
            wrong.append(f"{customer} (cell {home}): its table is in {holders or 'no cell'}")
    return wrong


def demo_key(log: Path) -> str:
    """The demo customer's key from ``serve``'s output (shown once, on the line after the notice)."""
    found = re.search(r"shown only this once:\s+(\S+)", log.read_text(errors="replace"))
    assert found is not None, log.read_text(errors="replace")
    return found.group(1)


def start_cell_stack(tmp: Path) -> CellStack:
    data_dir = tmp / "data"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "POWERTOOLS_LOG_LEVEL": "WARNING"}
    log = tmp / "serve-cells.log"
    process, url = start_serve(env, log, "--cells", "2", "--data-dir", str(data_dir), timeout_s=120)
    return CellStack(url, Settings(store="sqlite", data_dir=data_dir), process, env, log)


def registry_in(cell: Cell) -> Registry:
    """The cell's registry, as a test reads it (left open: the process ends with the run)."""
    return open_registry(cell.settings())
