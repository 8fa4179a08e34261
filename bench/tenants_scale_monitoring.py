"""``monitoring``: the monthly monitoring bill at 10, 1,000 and 10,000 customers (issue #23, goal 4).

Counted from what Terraform plans (the mocked root, as the ``plan`` section plans it, with that many
customers registered): the alarms and the metrics each one reads (CloudWatch bills an alarm per
metric), the custom metrics the metric filters publish, the Contributor Insights rules and the
dashboards. The part that grows with customers is their traffic's share: the bytes the request line
gained for the store counts (log ingestion) and the lines the rules match. Before issue #23 each
customer's table had two metric-math alarms of six metrics: $1.20 a customer a month.

Prices: CloudWatch, us-east-1 list prices (an alarm metric $0.10, a custom metric $0.30, a dashboard
$3, a Contributor Insights rule $0.50 plus $0.02 per million matched log events, log ingestion
$0.50 per GB). Traffic: ``REQUESTS_PER_CUSTOMER`` a month, of which ``MATCHED_SHARE`` are lines some
rule matches (server errors, throttled attempts, slow requests), counted as matching every rule.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

from bench.common import table, write
from bench.tenants_scale_plan import PlanUnavailableError, mocked_root, planned, register, resource_type

NAME = "tenants_scale_monitoring"
SIZES = (10, 1_000, 10_000)
PRICE = {
    "alarm_metric": 0.10,
    "custom_metric": 0.30,
    "dashboard": 3.00,
    "insight_rule": 0.50,
    "matched_per_million": 0.02,
    "ingested_per_gb": 0.50,
}
BEFORE_PER_CUSTOMER = 2 * 6 * PRICE["alarm_metric"]  # two metric-math alarms of six metrics a table
REQUESTS_PER_CUSTOMER = 30_000  # a month: a hotel's 1,000 API requests a day
MATCHED_SHARE = 0.05  # of requests: errors, throttled or slow (generous: normally far fewer)
GOAL_PER_CUSTOMER = 0.01
# What goal 4 added to every request line (reservations.functions.http), as the line serialises it.
ADDED_BYTES = len(json.dumps({"store_throttles": 0, "store_errors": 0}, separators=(",", ":"))) - 1
TRANSFORM = re.compile(r'^\s+\+ (?P<key>name|namespace)\s+= "(?P<value>[^"]+)"')


def monitoring_counts(blocks: dict[str, str]) -> dict[str, int]:
    """What the plan creates that CloudWatch bills for monitoring."""
    kinds = {address: resource_type(block) for address, block in blocks.items()}
    alarms = [b for a, b in blocks.items() if kinds[a] == "aws_cloudwatch_metric_alarm"]
    metrics: set[tuple[str, str]] = set()
    for address, block in blocks.items():
        if kinds[address] == "aws_cloudwatch_log_metric_filter":
            transformation = block.split("metric_transformation {", 1)[1]
            found = {m["key"]: m["value"] for m in map(TRANSFORM.match, transformation.splitlines()) if m}
            metrics.add((found["namespace"], found["name"]))
    counted = Counter(kinds.values())
    return {
        "alarms": len(alarms),
        "alarm_metrics": sum(len(re.findall(r"^\s+\+ metric_name\s+=", b, flags=re.M)) for b in alarms),
        "custom_metrics": len(metrics),
        "metric_filters": counted["aws_cloudwatch_log_metric_filter"],
        "insight_rules": counted["aws_cloudwatch_contributor_insight_rule"],
        "dashboards": counted["aws_cloudwatch_dashboard"],
    }


def monthly_cost(counts: dict[str, int], customers: int) -> dict[str, float]:
    fixed = (
        counts["alarm_metrics"] * PRICE["alarm_metric"]
        + counts["custom_metrics"] * PRICE["custom_metric"]
        + counts["dashboards"] * PRICE["dashboard"]
        + counts["insight_rules"] * PRICE["insight_rule"]
    )
    ingestion = REQUESTS_PER_CUSTOMER * ADDED_BYTES / 1e9 * PRICE["ingested_per_gb"]
    matched = (
        REQUESTS_PER_CUSTOMER * MATCHED_SHARE * counts["insight_rules"] / 1e6 * PRICE["matched_per_million"]
    )
    per_customer = ingestion + matched
    return {
        "fixed": round(fixed, 2),
        "per_customer": per_customer,
        "per_customer_ingestion": ingestion,
        "per_customer_matched": matched,
        "total": round(fixed + per_customer * customers, 2),
        "before_issue_23_per_customer": BEFORE_PER_CUSTOMER,
        "before_issue_23_extra": round(BEFORE_PER_CUSTOMER * customers, 2),
    }


def measure(sizes: tuple[int, ...]) -> dict[str, dict[str, int]]:
    """The plan's monitoring counts with each number of customers registered."""
    counts: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = mocked_root(Path(folder))
        for n in sizes:
            os.environ.update(
                RESERVATIONS_STORE="sqlite", RESERVATIONS_DATA_DIR=str(register(Path(folder), n))
            )
            counts[str(n)] = monitoring_counts(planned(root)[1])
    for key in ("RESERVATIONS_STORE", "RESERVATIONS_DATA_DIR"):
        os.environ.pop(key, None)
    return counts


def cost_table(counts: dict[str, int], costs: dict[str, dict[str, float]]) -> str:
    rows = [
        [
            f"{n:,}",
            f"${c['fixed']:,.2f}",
            f"${c['per_customer'] * n:,.2f}",
            f"${c['total']:,.2f}",
            f"${c['per_customer']:.4f}",
            f"+${c['before_issue_23_extra']:,.2f}",
        ]
        for n, c in ((int(k), v) for k, v in costs.items())
    ]
    title = (
        f"Monthly monitoring cost: {counts['alarms']} alarms ({counts['alarm_metrics']} metrics), "
        f"{counts['custom_metrics']} custom metrics, {counts['insight_rules']} Contributor Insights rules, "
        f"{counts['dashboards']} dashboard"
    )
    headers = ["customers", "fixed", "grows with customers", "total", "per customer", "before: table alarms"]
    return table(title, headers, rows)


def monitoring_section(customers: int, quick: bool) -> dict[str, bool]:
    try:
        planned_counts = measure(SIZES[:1] if quick else SIZES)
    except PlanUnavailableError as exc:
        write(NAME, {"quick": quick, "skipped": str(exc)}, f"## Monitoring cost: not measured ({exc})")
        return {}
    counts = planned_counts[str(SIZES[0])]
    costs = {str(n): monthly_cost(planned_counts.get(str(n), counts), n) for n in SIZES}
    goals = {
        "fixed_counts": all(c == counts for c in planned_counts.values()),
        "per_customer": all(c["per_customer"] <= GOAL_PER_CUSTOMER for c in costs.values()),
    }
    data = {
        "quick": quick,
        "planned_at": [int(n) for n in planned_counts],
        "counts": planned_counts,
        "prices_usd": PRICE,
        "assumptions": {
            "requests_per_customer_month": REQUESTS_PER_CUSTOMER,
            "matched_share": MATCHED_SHARE,
            "added_bytes_per_request": ADDED_BYTES,
        },
        "costs": costs,
        "goals": goals,
    }
    write(NAME, data, cost_table(counts, costs))
    return goals
