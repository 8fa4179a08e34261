"""``plan``: Terraform's plan of the root with 3 and with N registered customers (issue #23, goal 2).

Customers are rows in the registry, never Terraform inputs, so the claim to measure is that the plan
does not see them: the section registers 3, then N, customers in a registry (SQLite, as ``reservations
tenants create`` keeps them locally), points the environment Terraform runs in at it, and plans the
cell root (``terraform/cell``, issue #24) with the mocked AWS provider (``terraform test``, a
``command = plan`` run on the cells' shared values and cell c1's) in a copy of ``terraform/``. It counts the resources the plan creates, by address
and by type, and times each plan (interleaved, so both sizes see the same load). Before issue #23 the
root planned 330 + 6N resources, and 233 s at 1,000 customers.

Needs the AWS provider for ``terraform init`` (``TF_CLI_CONFIG_FILE`` pointing at a mirror, or the
registry); without it the section says so and measures nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import median, table, write
from bench.servers import ROOT

NAME = "tenants_scale_plan"
SMALL = 3
BEFORE = {"resources_fixed": 330, "resources_per_customer": 6, "plan_s_at_1000": 233}
PLAN_TEST = """mock_provider "aws" {
  source = "../modules/cell/tests/mocks"
}

run "plan" {
  command = plan
}
"""
HEADER = re.compile(r"^  # (?P<address>.+) will be created$")
KIND = re.compile(r'^\s+\+ resource "(?P<type>[^"]+)" ')


class PlanUnavailableError(RuntimeError):
    """Terraform or its AWS provider is not installable here."""


def _terraform(directory: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("terraform")
    if binary is None:
        raise PlanUnavailableError("no terraform on PATH")
    return subprocess.run(
        [binary, *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"},
        check=False,
    )


def mocked_root(folder: Path) -> Path:
    """The cell root in a copy of ``terraform/`` (its lock file included), initialised, with the one plan run."""
    shutil.copytree(
        ROOT / "terraform", folder / "terraform", ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
    )
    (folder / "web").symlink_to(ROOT / "web")  # the cell module reads ../../../web (the page's files)
    copy = folder / "terraform" / "cell"
    (copy / "bench").mkdir()
    (copy / "bench" / "plan.tftest.hcl").write_text(PLAN_TEST)
    init = _terraform(copy, "init", "-backend=false", "-input=false", "-no-color")
    if init.returncode != 0:
        last = init.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise PlanUnavailableError(f"terraform init failed: {last[0]}")
    return copy


def planned(root: Path) -> tuple[float, dict[str, str]]:
    """One mocked plan of the root: its wall time (s) and each created resource's block, by address."""
    started = time.perf_counter()
    done = _terraform(
        root,
        "test",
        "-no-color",
        "-verbose",
        "-test-directory=bench",
        "-var-file=terraform.tfvars.example",
        "-var-file=cells/c1.tfvars",
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the mocked plan failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")
    blocks: dict[str, str] = {}
    address: str | None = None
    for line in done.stdout.splitlines():
        header = HEADER.match(line)
        if header:
            address = header["address"]
            blocks[address] = ""
        elif line.startswith("  # ") or line.startswith("Plan:"):
            address = None
        elif address is not None:
            blocks[address] += line + "\n"
    return seconds, blocks


def resource_type(block: str) -> str:
    """The type of the resource a plan block creates (its ``+ resource "TYPE" "NAME" {`` line)."""
    for line in block.splitlines():
        match = KIND.match(line)
        if match:
            return match["type"]
    return "?"


def resource_types(blocks: dict[str, str]) -> Counter[str]:
    return Counter(resource_type(block) for block in blocks.values())


def register(folder: Path, customers: int) -> Path:
    """A registry holding ``customers`` active customers, each with a key (no tables: nothing reads them)."""
    from reservations.domain.parsing import now_utc
    from reservations.domain.tenancy import new_api_key
    from reservations.stores.protocols import CustomerRecord
    from reservations.stores.sqlite_registry import SqliteRegistry
    from reservations.tenants.admin import key_record

    data = folder / f"registry-{customers}"
    registry = SqliteRegistry(data)
    for i in range(customers):
        name = f"hotel-{i:05d}"
        record = CustomerRecord(
            name=name, table=f"{name}-reservations", status="active", created_at=now_utc()
        )
        registry.create_customer(record, key_record(name, new_api_key()))
    assert len(registry.list_customers()) == customers
    registry.close()
    return data


def measure(customers: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = mocked_root(Path(folder))
        registries = {n: register(Path(folder), n) for n in (SMALL, customers)}
        seconds: dict[int, list[float]] = {SMALL: [], customers: []}
        plans: dict[int, dict[str, str]] = {}
        saved = {k: os.environ.get(k) for k in ("RESERVATIONS_STORE", "RESERVATIONS_DATA_DIR")}
        try:
            for _ in range(rounds):
                for n in (SMALL, customers):  # interleaved: both sizes under the same load
                    os.environ.update(RESERVATIONS_STORE="sqlite", RESERVATIONS_DATA_DIR=str(registries[n]))
                    took, plans[n] = planned(root)
                    seconds[n].append(took)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    small, large = plans[SMALL], plans[customers]
    return {
        "customers": [SMALL, customers],
        "rounds": rounds,
        "resources": {str(SMALL): len(small), str(customers): len(large)},
        "same_addresses": set(small) == set(large),
        "same_plan": small == large,
        "plan_s": {
            str(n): {"median": median(s), "runs": [round(x, 1) for x in s]} for n, s in seconds.items()
        },
        "ratio": median(seconds[customers]) / median(seconds[SMALL]),
        "types": dict(sorted(resource_types(large).items())),
        "before_issue_23": {
            n: BEFORE["resources_fixed"] + BEFORE["resources_per_customer"] * n for n in (SMALL, customers)
        },
    }


def plan_table(result: dict[str, Any]) -> str:
    small, large = result["customers"]
    rows = [
        [
            f"{n:,}",
            result["resources"][str(n)],
            f"{result['plan_s'][str(n)]['median']:.1f} s",
            f"{result['before_issue_23'][n]:,}",
        ]
        for n in (small, large)
    ]
    title = (
        f"Mocked plan of the root with {small} and {large:,} registered customers: "
        f"the same plan: {result['same_plan']}, time ratio {result['ratio']:.2f}"
    )
    headers = ["registered customers", "resources planned", "plan (median)", "before issue #23: 330 + 6N"]
    before = (
        f"Before issue #23, at 1,000 customers: {BEFORE['resources_fixed'] + 6 * 1000:,} resources, "
        f"plan {BEFORE['plan_s_at_1000']} s (measured then)."
    )
    return table(title, headers, rows) + "\n\n" + before


def plan_section(customers: int, quick: bool) -> dict[str, bool]:
    try:
        result = measure(customers, rounds=1 if quick else 2)
    except PlanUnavailableError as exc:
        write(NAME, {"quick": quick, "skipped": str(exc)}, f"## Mocked plan: not measured ({exc})")
        return {}
    goals = {"same_plan": result["same_plan"]}
    if not quick:  # time is judged here, not in the suite's run
        goals["same_time"] = result["ratio"] <= 1.5
    write(NAME, {"quick": quick, **result, "goals": goals}, plan_table(result))
    return goals
