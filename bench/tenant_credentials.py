"""What tenant-scoped credentials cost a request: a customer's first in a process, and every later one.

Against moto's server, three ways of reading one item of a customer's table, each timed per call:

* ``process credentials``: the store without RESERVATIONS_TENANT_ROLE_ARN (one client, no STS);
* ``tenant, first call``: the customer's first request in the process: AssumeRole, a new DynamoDB
  client under the returned credentials, then the read;
* ``tenant, warm``: later requests: the cached client, the read.

moto answers AssumeRole in about a millisecond; AWS STS takes tens of milliseconds more, once per
customer per warm process, which is what this design buys its isolation with.

    python -m bench.tenant_credentials [--customers 30] [--reads 20]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import median, percentile, table, write
from bench.servers import moto
from reservations.domain.reservation import ListQuery
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore

ROLE = "arn:aws:iam::123456789012:role/reservations-list-tenant"


def timed(store: DynamoDBStore, table: str) -> float:
    started = time.perf_counter()
    store.list(table, ListQuery(limit=1))
    return (time.perf_counter() - started) * 1000


def run(endpoint: str, customers: int, reads: int) -> dict[str, Any]:
    plain_settings = Settings(store="dynamodb", dynamodb_endpoint=endpoint, table_prefix="bench_")
    tenant_settings = Settings(
        store="dynamodb", dynamodb_endpoint=endpoint, table_prefix="bench_", tenant_role_arn=ROLE
    )
    plain = DynamoDBStore.from_settings(plain_settings)
    names = [f"hotel-{i:03d}" for i in range(customers)]
    for name in names:
        plain.create_table(plain_settings.table_for(name))
    tenant = DynamoDBStore.from_settings(tenant_settings)
    timed(plain, plain_settings.table_for(names[0]))  # warm the shared loaders once for both
    samples: dict[str, list[float]] = {
        "process credentials": [],
        "tenant, first call": [],
        "tenant, warm": [],
    }
    for name in names:
        table = plain_settings.table_for(name)
        samples["tenant, first call"].append(timed(tenant, table))
        for _ in range(reads):
            samples["process credentials"].append(timed(plain, table))
            samples["tenant, warm"].append(timed(tenant, table))
    plain.close()
    tenant.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    with moto("dynamodb") as endpoint:
        assert endpoint is not None
        samples = run(endpoint, args.customers, args.reads)
    rows = [[kind, len(values), median(values), percentile(values, 0.95)] for kind, values in samples.items()]
    markdown = table(
        f"Tenant-scoped credentials: one read of a customer's table (ms, moto, {args.customers} customers)",
        ["path", "calls", "median ms", "p95 ms"],
        rows,
    )
    write(
        "tenant_credentials",
        {"customers": args.customers, "reads_per_customer": args.reads, "samples_ms": samples},
        markdown,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
