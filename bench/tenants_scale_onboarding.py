"""Onboarding N customers on moto's server (issue #23, goal 1): time per customer and in total.

Each customer goes through the very operation ``reservations tenants create`` and the
``tenants-admin`` function run in AWS (``tenants_onboarding.open_onboarding``: no local endpoint,
botocore's ``AWS_ENDPOINT_URL_*`` pointing at moto over HTTP): its table with every setting (the
deployment's KMS key, point-in-time recovery, TTL, deletion protection, the backup and customer
tags), its registration with a key, its usage key in its tier's plan, then ``active``.  A sample is
then deleted the same way (final backup, protection off, table dropped, usage key and registration
gone).  What is left is counted: every customer registered once, with one table and one usage key.

moto creates a table ``ACTIVE`` at once, so these times are the operation's own calls (about 15 of
them) and moto's work; in AWS the long pole is DynamoDB's ``CREATING`` (docs/scaling.md).

The customers are onboarded in batches of ``BATCH``, moto's state reset (``/moto-api/reset``) and
the deployment made again before each.  moto applies a ``TransactWriteItems`` by deep-copying every
table it touches first (its rollback), and a registration is a transaction on the registry, so each
customer costs moto a copy of the whole registry; and moto keeps every model object it ever made
(``BaseModel.instances_tracked``, for its dashboard), the copies' items included, so none is ever
freed: memory grows with the square of the customers (23.7 GB during a 2,000-customer run).
DynamoDB copies nothing, so this is moto's alone; the reset empties both.  A late customer thus sees
a registry of fewer than ``BATCH`` others, not of all of them: what is timed is still one customer's
whole ``tenants create``, but not against a registry of N (``RESET`` says so in the results).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import boto3
import httpx

from bench.common import median, percentile, table, write
from bench.servers import moto
from reservations.settings import Settings
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.tenants.onboarding import Onboarding, open_onboarding

NAME = "tenants_scale_onboarding"
QUICK_CUSTOMERS = 40  # the suite's run: every step, a few seconds
TIERS = ("standard", "premium")
USAGE_PREFIX = "bench-usage-"
DELETE_SAMPLE_SHARE = 0.01  # of the customers, at least DELETE_SAMPLE_MIN
DELETE_SAMPLE_MIN = 5
BATCH = 250  # customers per moto state (the module's docstring says why)
RESET = (
    f"moto's state (every table, the registry, keys and usage plans) reset before each batch of {BATCH} "
    "customers and the deployment (key, registry, plans) made again: a customer sees a registry of at "
    f"most {BATCH - 1} others, the counts are summed over the batches, the deletes run in the last one"
)


@contextmanager
def aws_on_moto() -> Iterator[str]:
    """moto's server as AWS for botocore (``AWS_ENDPOINT_URL_*``), the way the operator's CLI and
    the function reach AWS: the settings carry no endpoint, so onboarding takes its AWS path."""
    with moto("dynamodb") as endpoint:
        assert endpoint is not None
        names = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_ENDPOINT_URL_KMS")
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update(dict.fromkeys(names, endpoint))
        try:
            yield endpoint
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def deployment(endpoint: str) -> tuple[Settings, DynamoDBRegistry]:
    """What Terraform makes once (the key, the registry, a usage plan per tier), on moto."""
    key_arn = boto3.client("kms").create_key(Description="the deployment's key")["KeyMetadata"]["Arn"]
    apigateway = boto3.client("apigateway")
    plans = {tier: apigateway.create_usage_plan(name=f"bench-{tier}")["id"] for tier in TIERS}
    settings = Settings(
        store="dynamodb",
        table_prefix="bench_",
        table_kms_key_arn=key_arn,
        backup_tag="bench",
        usage_plans=json.dumps(plans),
        usage_key_prefix=USAGE_PREFIX,
    )
    registry = DynamoDBRegistry.from_settings(settings)
    DynamoDBRegistry.from_settings(replace(settings, dynamodb_endpoint=endpoint)).ensure_table()
    return settings, registry


def timed(operation: Any, *args: str) -> float:
    started = time.perf_counter()
    operation(*args)
    return (time.perf_counter() - started) * 1000


def what_is_left(settings: Settings, registry: DynamoDBRegistry) -> dict[str, Any]:
    """Customers, tables and usage keys that exist, each counted and checked for duplicates."""
    dynamodb = boto3.client("dynamodb")
    tables = [
        name
        for page in dynamodb.get_paginator("list_tables").paginate()
        for name in page["TableNames"]
        if name != settings.registry_table_name
    ]
    apigateway = boto3.client("apigateway")
    keys = [k["name"] for page in apigateway.get_paginator("get_api_keys").paginate() for k in page["items"]]
    customers = [c.name for c in registry.list_customers()]
    active = sum(1 for c in registry.list_customers() if c.status == "active")
    in_plans = [
        k["name"]
        for plan in json.loads(settings.usage_plans or "{}").values()
        for page in apigateway.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan)
        for k in page["items"]
    ]
    return {
        "customers": len(customers),
        "active": active,
        "tables": len(tables),
        "usage_keys": len(keys),
        "usage_keys_in_plans": len(in_plans),
        "each_once": all(len(set(x)) == len(x) for x in (customers, tables, keys, in_plans))
        and {settings.table_for(c) for c in customers} == set(tables)
        and {f"{USAGE_PREFIX}{c}" for c in customers} == set(keys) == set(in_plans),
    }


def peak_rss_mb() -> float:
    """The process's peak resident memory: moto's server runs in it (``SerialMotoServer``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summed(counts: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {key: sum(c[key] for c in counts) for key in counts[0] if key != "each_once"}
    return {**total, "each_once": all(c["each_once"] for c in counts)}


def onboard(customers: int, batch: int = BATCH) -> dict[str, Any]:
    names = [f"hotel-{i:05d}" for i in range(customers)]
    created: list[float] = []
    onboarded, after_delete, peaks = [], [], []
    with aws_on_moto() as endpoint:
        for first in range(0, customers, batch):
            httpx.post(f"{endpoint}/moto-api/reset").raise_for_status()
            settings, registry = deployment(endpoint)
            onboarding = open_onboarding(settings, registry)
            assert isinstance(onboarding, Onboarding)
            batch_names = names[first : first + batch]
            created += [
                timed(onboarding.create, name, TIERS[(first + i) % len(TIERS)])
                for i, name in enumerate(batch_names)
            ]
            onboarded.append(what_is_left(settings, registry))
            after_delete.append(onboarded[-1])
            if first + batch >= customers:
                share = max(DELETE_SAMPLE_MIN, round(customers * DELETE_SAMPLE_SHARE))
                sample = batch_names[:: max(1, len(batch_names) // share)]
                deleted = [timed(onboarding.delete, name) for name in sample]
                after_delete[-1] = what_is_left(settings, registry)
            registry.close()
            peaks.append(round(peak_rss_mb()))
    tenth = max(1, customers // 10)
    return {
        "customers": customers,
        "batches": len(onboarded),
        "batch_size": batch,
        "between_batches": RESET,
        "create_ms": {"p50": median(created), "p99": percentile(created, 0.99), "max": max(created)},
        "create_first_tenth_p50_ms": median(created[:tenth]),
        "create_last_tenth_p50_ms": median(created[-tenth:]),
        "total_s": round(sum(created) / 1000, 1),
        "onboarded": summed(onboarded),
        "deleted_sample": len(sample),
        "delete_ms": {"p50": median(deleted), "p99": percentile(deleted, 0.99)},
        "after_delete": summed(after_delete),
        "process_peak_rss_mb_after_each_batch": peaks,
    }


def onboarding_table(result: dict[str, Any]) -> str:
    n, ok = result["customers"], result["onboarded"]
    rows = [
        [
            "a customer onboarded, p50 / p99",
            f"{result['create_ms']['p50']:.1f} / {result['create_ms']['p99']:.1f} ms",
        ],
        [
            "p50 of the first tenth / of the last tenth",
            f"{result['create_first_tenth_p50_ms']:.1f} / {result['create_last_tenth_p50_ms']:.1f} ms",
        ],
        [f"all {n:,} customers, one after the other (sum of the above)", f"{result['total_s']:,.1f} s"],
        [
            f"batches of {result['batch_size']:,}, moto reset before each",
            f"{result['batches']:,}",
        ],
        [
            "peak memory of the process holding moto",
            f"{max(result['process_peak_rss_mb_after_each_batch']):,} MB",
        ],
        [
            "registered / active / tables / usage keys (in plans)",
            f"{ok['customers']:,} / {ok['active']:,} / {ok['tables']:,} / {ok['usage_keys']:,} "
            f"({ok['usage_keys_in_plans']:,})",
        ],
        ["every customer exactly once", "yes" if ok["each_once"] else "NO"],
        [
            f"a customer deleted (sample of {result['deleted_sample']}), p50 / p99",
            f"{result['delete_ms']['p50']:.1f} / {result['delete_ms']['p99']:.1f} ms",
        ],
        [
            "left after the deletes: customers / tables",
            f"{result['after_delete']['customers']:,} / {result['after_delete']['tables']:,}",
        ],
    ]
    return table(
        f"Onboarding {n:,} customers on moto's server (HTTP), one operation each", ["measured", "value"], rows
    )


def onboarding_section(customers: int, quick: bool) -> dict[str, bool]:
    """Every customer onboarded once and the deleted sample gone without a trace: no time goal here
    (moto's time is not AWS's; docs/scaling.md states both)."""
    result = onboard(min(customers, QUICK_CUSTOMERS) if quick else customers)
    left = result["after_delete"]
    goals = {
        "each_once": result["onboarded"]["each_once"]
        and result["onboarded"]["customers"] == result["customers"] == result["onboarded"]["active"],
        "deleted_without_trace": left["each_once"]
        and left["customers"] == left["tables"] == result["customers"] - result["deleted_sample"],
    }
    write(NAME, {"quick": quick, "onboarding": result, "goals": goals}, onboarding_table(result))
    return goals
