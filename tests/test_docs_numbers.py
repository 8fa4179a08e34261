"""What the pages say that the code can produce is read from the code, so it cannot drift again.

Each check names the page and the source of truth: the menu's choices, the function catalogue, the
CLI's commands, the operations table, the committed zip measurements and the table alarms' metrics.
(docs/operating.md's alarm count is checked against Terraform's plan: terraform/modules/cell/tests/docs_numbers.tftest.hcl.)
docs/scaling.md quotes the committed tenants_scale plan and monitoring results.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reservations.catalogue import FUNCTIONS
from reservations.client.menu import CHOICES
from tests.terraform.hcl import child

ROOT = Path(__file__).resolve().parents[1]
WORDS = {
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen",
}


def cli(*args: str) -> str:
    """What ``reservations`` prints, as a user sees it in a wide terminal."""
    script = Path(sys.executable).with_name("reservations")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def page(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["README.md", "docs/clients.md"])
def test_the_menu_shown_is_the_menu_printed(name: str) -> None:
    shown = "\n".join(f"  {number}. {label}" for number, label in enumerate(CHOICES, start=1))
    assert shown + "\n```" in page(name)


def test_the_menus_help_names_every_choice() -> None:
    help_text = " ".join(cli("menu", "--help").lower().split())
    for label in CHOICES:
        if label != "Exit":
            verb = label.split()[0].lower()
            assert verb in help_text, f"`reservations menu --help` does not mention {label!r}"


def test_every_page_counts_the_catalogues_functions() -> None:
    count = WORDS[len(FUNCTIONS)]
    names = [f.name for f in FUNCTIONS]
    for name in ("README.md", "docs/local.md", "docs/builds.md"):
        text = " ".join(page(name).split())
        assert f"{count} " in text or f"{count}:" in text, f"{name} does not say {count} functions"
        missing = [n for n in names if f"`{n}`" not in text]
        assert not missing, f"{name} does not name {missing}"
    assert f"({len(FUNCTIONS)} functions;" in page("docs/operating.md")


def test_the_clients_summary_lists_every_command() -> None:
    commands = set(re.findall(r"^│ (\w[\w-]*) ", cli("--help"), re.M))
    assert {"list", "add", "change", "rooms", "availability"} <= commands, commands
    summary = page("docs/clients.md").split("## The scriptable CLI", 1)[1].split("```", 2)[1]
    listed = set(re.findall(r"^reservations (\w[\w-]*)", summary, re.M))
    assert commands - {"menu", "serve", "tenants", "build", "edge", "cluster", "cells"} <= listed, (
        commands - listed
    )


def test_the_api_page_has_one_operations_table_with_every_route() -> None:
    text = page("docs/api.md")
    tables = re.findall(r"^\| request \|", text, re.M)
    assert len(tables) == 1, "docs/api.md has more than one operations table"
    for function in FUNCTIONS:
        for route in function.routes:
            assert (
                f"`{route.method} {route.path}" in text
                or f"`{route.method} {route.path}`" in text
                or (f"{route.method} {route.path}" in text)
            ), f"docs/api.md lacks {route.method} {route.path}"


def test_the_builds_page_gives_the_measured_zip_sizes_and_leaves_boto3_to_the_runtime() -> None:
    from reservations.build.project import RUNTIME_PROVIDED

    text = " ".join(page("docs/builds.md").split())
    assert "boto3" in RUNTIME_PROVIDED
    assert "boto3 is left to the runtime" in text
    assert "boto3 is bundled" not in text
    measured = {f["function"]: f for f in json.loads(page("bench/results/build_sizes.json"))["functions"]}
    mib = {name: f["zip_bytes"] / 2**20 for name, f in measured.items()}
    unzipped = {name: f["unzipped_bytes"] / 2**20 for name, f in measured.items()}
    rest = [n for n in measured if n != "cluster-up"]
    expected = (
        f"a zip is {min(mib[n] for n in rest):.2f}–{max(mib[n] for n in rest):.2f} MiB "  # noqa: RUF001
        f"({min(unzipped[n] for n in rest):.2f}–{max(unzipped[n] for n in rest):.2f} MiB unzipped), "  # noqa: RUF001
        f"`cluster-up` {mib['cluster-up']:.2f} MiB ({unzipped['cluster-up']:.2f} MiB)"
    )
    assert expected in text


def test_the_table_alarm_cost_counts_the_operations_summed() -> None:
    operations = child("monitoring").variables["table_operations"]["default"]
    per_table = 2 * len(operations) * 0.10
    line = f"2 per table × {len(operations)} operations summed, $0.10 per metric | ${per_table:.2f} per table"  # noqa: RUF001
    assert line in page("docs/operating.md")


def test_the_dynamodb_table_quota_is_the_default_not_the_ceiling() -> None:
    text = " ".join(page("docs/deploying.md").split())
    assert "2,500 DynamoDB tables per region by default" in text
    assert "10,000 tables per region by default" not in text


def test_the_scaling_page_quotes_the_committed_monitoring_and_plan_results() -> None:
    text = " ".join(page("docs/scaling.md").split())
    monitoring = json.loads(page("bench/results/tenants_scale_monitoring.json"))
    costs, counts = monitoring["costs"], monitoring["counts"]["10000"]
    totals = " | ".join(f"**${costs[n]['total']:,.2f}**" for n in ("10", "1000", "10000"))
    assert f"| **total** | {totals} |" in text
    assert f"**${costs['10000']['per_customer']:.4f} a customer a month**" in text
    assert f"the rest, ${costs['10000']['fixed']:.2f}, is fixed" in text
    assert f"alarms: {counts['alarms']}, reading {counts['alarm_metrics']} metrics at $0.10" in text
    assert f"Contributor Insights: {counts['insight_rules']} rules at $0.50" in text
    plan = json.loads(page("bench/results/tenants_scale_plan.json"))
    small, large = plan["customers"]
    assert plan["resources"][str(small)] == plan["resources"][str(large)]
    assert f"plans the same {plan['resources'][str(large)]} resources" in text
    seconds = [f"{plan['plan_s'][str(n)]['median']:.1f} s" for n in (small, large)]
    assert f"in {seconds[0]} and {seconds[1]}" in text
