"""Benchmark 4 of issue 15: what a million requests cost in AWS, from what the artifact does here.

Each API function's zip runs as Lambda runs it (``bench.cold_start.Artifact``: unpacked read-only,
``python -S -B``, the runtime's compiled SDK behind it) against moto's server, serving ``--warm``
requests per operation.  Measured per request: CPU time (``time.process_time``) and every DynamoDB
call with its request and answer (botocore's event hooks).  From those, on paper:

- **DynamoDB request units** by DynamoDB's published rules, from the item sizes (moto's
  ``ConsumedCapacity`` is a constant, not a measurement): a strongly consistent read is 1 RRU per
  4 KB read (a Query sums the items it reads, then rounds up), a write 1 WRU per 1 KB of the item
  (the larger of before and after), a transactional write 2 WRU per 1 KB of each item.  A deleted
  item's size is that of the same key when it was written.
- **Lambda GB-seconds**: billed duration = CPU time scaled to the memory's share of a vCPU (a full
  one at 1,769 MB) + one DynamoDB round trip per call (``--ddb-ms``) + ``--sts-calls`` STS calls
  (``--sts-ms`` each: the tenant-scoped credentials; STS itself charges nothing), rounded up to the ms.
- **API Gateway** REST requests; the authorizer's invocations are cached by API Gateway for 300 s
  per key, so they are priced per invocation, beside the table.

The original design listed with a full-table Scan: its read units follow from the same item size
at 1 k and 100 k reservations, its CPU from a Scan of 1 k items measured here (scaled linearly).
Prices: us-east-1, x86_64, on-demand (the constants below).  The table bills the memory the
catalogue configures; a second table prices the sizes on paper from the measured CPU time, and the
run fails when the one with the lowest cost x latency is not the configured one.  Exits 1 too when
a list costs more than the original design's Scan of 1 k reservations.

    python -m bench.cost [--warm 20] [--ddb-ms 5] [--sts-calls 0] [--sts-ms 15]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.cold_start import API_FUNCTIONS, Artifact, api_event
from bench.common import fail_if_missed, median, table, write
from bench.servers import create_customer, moto
from reservations.catalogue import get_function
from reservations.domain.parsing import now_utc, today_utc
from reservations.domain.reservation import NewReservation
from reservations.stores import open_store
from reservations.stores.dynamodb_client import TableAdmin, make_client

# us-east-1 on-demand prices.
LAMBDA_PER_GB_S = 0.0000166667
LAMBDA_PER_REQUEST = 0.20 / 1e6
DYNAMODB_PER_RRU = 0.125 / 1e6
DYNAMODB_PER_WRU = 0.625 / 1e6
API_GATEWAY_PER_REQUEST = 3.50 / 1e6
FULL_VCPU_MB = 1769  # Lambda's memory at which a function gets one whole vCPU
MEMORY_CHOICES = (128, 256, 512, 1024, 1769)
PAGE = 50
SCAN_SAMPLE = 1000  # items the original design's Scan is measured on
NIGHTS = (1, 7, 30)

# Runs in the artifact: serves EVENTS, recording each request's CPU time and DynamoDB calls.
SERVE = """
import time, importlib
import boto3
boto3.setup_default_session()  # the functions' client is made from it: its hooks come along
calls = []
def before(params, model, **_):
    calls.append({"op": model.name, "request": params})
def after(parsed, model, **_):
    calls[-1]["response"] = {k: v for k, v in parsed.items() if k in ("Item", "Items", "Attributes")}
boto3.DEFAULT_SESSION.events.register("before-parameter-build.dynamodb", before)
boto3.DEFAULT_SESSION.events.register("after-call.dynamodb", after)
module = importlib.import_module(MODULE)
out = []
for i, event in enumerate(EVENTS):
    calls.clear()
    cpu0 = time.process_time()
    result = module.handler(event, None)
    cpu = time.process_time() - cpu0
    assert OK(result), result
    if i:  # the first is the cold one
        out.append({"cpu": cpu, "calls": list(calls)})
print(json.dumps(out, default=str))
"""

SCAN = """
import time, boto3
client = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
items = 0
cpu0 = time.process_time()
for page in client.get_paginator("scan").paginate(TableName=TABLE):
    items += len(page["Items"])
cpu = time.process_time() - cpu0
print(json.dumps({"cpu": cpu, "items": items}))
"""


# --------------------------------------------------------------------------- DynamoDB's rules


def number_size(text: str) -> int:
    """A number: 1 byte per two significant digits, plus 1 (DynamoDB's published approximation)."""
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(len(str(v).encode()) for v in inner)
    if kind == "NS":
        return sum(number_size(str(v)) for v in inner)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _key_of(item: dict[str, Any]) -> str:
    return json.dumps({"pk": item["pk"], "sk": item["sk"]}, sort_keys=True)


def capacity(calls: list[dict[str, Any]], sizes: dict[str, int]) -> dict[str, float]:
    """Read and write request units of one request's calls; ``sizes`` remembers written items."""
    rru = wru = 0.0
    for call in calls:
        op, request, response = call["op"], call["request"], call.get("response", {})
        factor = 1.0 if request.get("ConsistentRead") else 0.5
        if op == "GetItem":
            rru += factor * max(1, math.ceil(item_size(response.get("Item", {})) / 4096))
        elif op == "BatchGetItem":
            # Each key is billed as a GetItem of its own (rounded up per item, a missing one too).
            for table, asked in request["RequestItems"].items():
                per_key = 1.0 if asked.get("ConsistentRead") else 0.5
                returned = {_key_of(i): i for i in response.get("Responses", {}).get(table, [])}
                for key in asked["Keys"]:
                    size = item_size(returned.get(_key_of(key), {}))
                    rru += per_key * max(1, math.ceil(size / 4096))
        elif op == "Query":
            read = sum(item_size(i) for i in response.get("Items", []))
            rru += factor * max(1, math.ceil(read / 4096))
        elif op == "UpdateItem":
            size = item_size({**request["Key"], **response.get("Attributes", {})})
            wru += max(1, math.ceil(size / 1024))
        elif op == "TransactWriteItems":
            for entry in request["TransactItems"]:
                if "Put" in entry:
                    size = item_size(entry["Put"]["Item"])
                    sizes[_key_of(entry["Put"]["Item"])] = size
                elif "Delete" in entry:
                    size = sizes.get(_key_of(entry["Delete"]["Key"]), item_size(entry["Delete"]["Key"]))
                else:
                    size = item_size(next(iter(entry.values()))["Key"])
                wru += 2 * max(1, math.ceil(size / 1024))
        else:
            raise ValueError(f"no capacity rule for {op}")
    return {"rru": rru, "wru": wru}


# --------------------------------------------------------------------------- Lambda's bill


def billed_ms(
    cpu_ms: float, calls: float, memory_mb: int, ddb_ms: float, sts_calls: float, sts_ms: float
) -> int:
    cpu_share = min(1.0, memory_mb / FULL_VCPU_MB)
    return math.ceil(cpu_ms / cpu_share + calls * ddb_ms + sts_calls * sts_ms)


def per_million(
    row: dict[str, Any], memory_mb: int, ddb_ms: float, sts_calls: float, sts_ms: float
) -> dict[str, float]:
    ms = billed_ms(row["cpu_ms"], row["calls"], memory_mb, ddb_ms, sts_calls, sts_ms)
    lambda_cost = 1e6 * (ms / 1000 * memory_mb / 1024 * LAMBDA_PER_GB_S + LAMBDA_PER_REQUEST)
    dynamodb = 1e6 * (row["rru"] * DYNAMODB_PER_RRU + row["wru"] * DYNAMODB_PER_WRU)
    api = 1e6 * API_GATEWAY_PER_REQUEST
    return {"billed_ms": ms, "lambda": lambda_cost, "dynamodb": dynamodb, "api_gateway": api,
            "total": lambda_cost + dynamodb + api}  # fmt: skip


# --------------------------------------------------------------------------- measuring


def measure(artifact: Artifact, warm: int) -> dict[str, Any]:
    tasks = {name: artifact.unpack(name) for name in API_FUNCTIONS}
    with moto("dynamodb") as endpoint:
        assert endpoint is not None
        settings = artifact.settings(endpoint, "cost-")
        key = create_customer(settings, "cost")
        env = artifact.environment(settings)
        table_name = settings.table_for("cost")
        store = open_store(settings)
        day = today_utc() + timedelta(days=400)
        for i in range(PAGE + 10):  # more than a page: the list reads a full one
            store.add(table_name, NewReservation(f"Listed Guest {i}", 1 + i, 2, day), created_at=now_utc())
        # Adds and deletes get a customer (table) each: moto copies a whole table per transaction,
        # so one that grew over the run would slow the run down (the CPU measured is ours either way).
        for nights in NIGHTS:
            create_customer(settings, f"add{nights}")
            create_customer(settings, f"del{nights}")
        doomed = {
            nights: [
                store.add(
                    settings.table_for(f"del{nights}"),
                    NewReservation("Doomed Guest", 5000 + i, nights, day),
                    created_at=now_utc(),
                ).reservation
                for i in range(warm + 1)
            ]
            for nights in NIGHTS
        }
        # The original design's table: one item per reservation, the size of ours, 1 k of them.
        scan_table = "cost-original-scan"
        client = make_client(settings)
        TableAdmin(client).create(scan_table)
        sample = store.get(settings.table_for("del1"), doomed[1][0].reservation_id)
        assert sample is not None
        for start in range(0, SCAN_SAMPLE, 25):
            batch = [{"PutRequest": {"Item": _original_item(sample, i)}} for i in range(start, start + 25)]
            client.batch_write_item(RequestItems={scan_table: batch})
        client.close()
        store.close()

        def serve(name: str, events: list[dict[str, Any]], ok: str) -> list[dict[str, Any]]:
            return artifact.run(  # type: ignore[return-value]
                SERVE,
                [tasks[name], artifact.runtime],
                env,
                MODULE=get_function(name).module,
                EVENTS=events,
                OK=ok,
            )

        listing = api_event("GET", "/reservations", "cost", None)
        listing["queryStringParameters"] = {"limit": str(PAGE)}
        runs: dict[str, list[dict[str, Any]]] = {
            "list (50 rows)": serve("list", [listing] * (warm + 1), "lambda r: r['statusCode'] == 200")
        }
        for nights in NIGHTS:
            adds = [
                api_event(
                    "POST",
                    "/reservations",
                    f"add{nights}",
                    {
                        "guest_name": "Costly Guest",
                        "room_number": 2000 + i,
                        "nights": nights,
                        "check_in": day.isoformat(),
                    },
                )
                for i in range(warm + 1)
            ]
            runs[f"add {nights} night{'s' if nights > 1 else ''}"] = serve(
                "add", adds, "lambda r: r['statusCode'] == 201"
            )
        for nights in NIGHTS:
            deletes = [
                api_event(
                    "DELETE", "/reservations/{id}", f"del{nights}", path_params={"id": str(r.reservation_id)}
                )
                for r in doomed[nights]
            ]
            runs[f"delete {nights} night{'s' if nights > 1 else ''}"] = serve(
                "delete", deletes, "lambda r: r['statusCode'] == 204"
            )
        authorize = {
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:us-east-1:1:a/prod/GET/reservations",
            "headers": {"X-Customer": "cost", "X-Api-Key": key},
        }
        runs["authorizer"] = serve(
            "authorizer",
            [authorize] * (warm + 1),
            "lambda r: r['policyDocument']['Statement'][0]['Effect'] == 'Allow'",
        )
        scan = [
            artifact.run(SCAN, [artifact.runtime], env, ENDPOINT=endpoint, TABLE=scan_table) for _ in range(5)
        ]
    sizes: dict[str, int] = {}
    rows: dict[str, dict[str, Any]] = {}
    for name, requests in runs.items():
        units = [capacity(r["calls"], sizes) for r in requests]
        rows[name] = {
            "cpu_ms": median([r["cpu"] for r in requests]) * 1000,
            "calls": median([len(r["calls"]) for r in requests]),
            "operations": sorted({c["op"] for r in requests for c in r["calls"]}),
            "rru": median([u["rru"] for u in units]),
            "wru": median([u["wru"] for u in units]),
        }
    scan_cpu_per_item_ms = median([s["cpu"] / s["items"] for s in scan]) * 1000
    return {
        "rows": rows,
        "largest_item_bytes": max(sizes.values()),
        "reservation_item_bytes": item_size(_original_item(sample, SCAN_SAMPLE - 1)),
        "scan_cpu_per_item_ms": scan_cpu_per_item_ms,
        "warm": warm,
    }


def _original_item(reservation: Any, i: int) -> dict[str, Any]:
    """One reservation as the original design stored it: one item, every field an attribute."""
    data = reservation.to_json()
    return {
        "pk": {"S": f"R#{i}"},
        "sk": {"S": "R"},
        "reservation_id": {"N": str(100000 + i)},
        "customer": {"S": "cost"},
        "guest_name": {"S": data["guest_name"]},
        "room_number": {"N": str(data["room_number"])},
        "nights": {"N": str(data["nights"])},
        "check_in": {"S": data["check_in"]},
        "check_out": {"S": data["check_out"]},
        "created_at": {"S": data["created_at"]},
    }


def original_scan(reservations: int, item_bytes: int, cpu_per_item_ms: float) -> dict[str, Any]:
    """The original design's list: Scan the whole table (1 MB pages, eventually consistent)."""
    total = reservations * item_bytes
    pages = max(1, math.ceil(total / (1024 * 1024)))
    return {
        "cpu_ms": cpu_per_item_ms * reservations,
        "calls": pages,
        "rru": 0.5 * max(1, math.ceil(total / 4096)),
        "wru": 0.0,
        "operations": ["Scan"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=20, help="warm requests per operation")
    parser.add_argument("--ddb-ms", type=float, default=5.0, help="DynamoDB round trip per call, in AWS")
    parser.add_argument(
        "--sts-calls", type=float, default=0.0, help="STS calls per request (tenant credentials)"
    )
    parser.add_argument("--sts-ms", type=float, default=15.0, help="one STS call's round trip")
    args = parser.parse_args(argv)
    artifact = Artifact(Path(tempfile.mkdtemp(prefix="bench-cost-")))
    try:
        measured = measure(artifact, args.warm)
    finally:
        artifact.cleanup()
    return report(measured, args)


def _cold_start_ms() -> dict[str, float]:
    """The artifact's cold start medians from bench.cold_start's last run (mostly CPU: imports, client)."""
    path = Path(__file__).resolve().parent / "results" / "cold_start.json"
    try:
        seconds = json.loads(path.read_text())["seconds"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: median(values) * 1000 for name, values in seconds.items()}


def choose_memory(rows: dict[str, dict[str, Any]], args: argparse.Namespace) -> tuple[int, list[list[Any]]]:
    """The memory with the lowest (mean cost per million) x (mean warm latency) over the operations."""
    cold = _cold_start_ms().get("list")
    table_rows = []
    best: tuple[float, int] | None = None
    operations = [r for name, r in rows.items() if name != "authorizer"]
    for memory in MEMORY_CHOICES:
        costs = [per_million(r, memory, args.ddb_ms, args.sts_calls, args.sts_ms) for r in operations]
        cost = sum(c["total"] for c in costs) / len(costs)
        latency = sum(c["billed_ms"] for c in costs) / len(costs)
        cold_ms = cold / min(1.0, memory / FULL_VCPU_MB) if cold else float("nan")
        score = cost * latency
        if best is None or score < best[0]:
            best = (score, memory)
        table_rows.append([f"{memory} MB", latency, cold_ms, cost, score])
    assert best is not None
    return best[1], table_rows


def report(measured: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = measured["rows"]
    chosen, memory_rows = choose_memory(rows, args)
    memory = get_function("list").memory_mb  # billed at what the catalogue (and so Terraform) configures
    item_bytes = measured["reservation_item_bytes"]
    original = {
        f"original list: Scan of {n:,}": original_scan(n, item_bytes, measured["scan_cpu_per_item_ms"])
        for n in (1_000, 100_000)
    }
    lines = []
    priced: dict[str, Any] = {}
    for name, row in {**rows, **original}.items():
        money = per_million(row, memory, args.ddb_ms, args.sts_calls, args.sts_ms)
        priced[name] = {**row, **money}
        lines.append(
            [name, row["cpu_ms"], row["calls"], row["rru"], row["wru"], money["billed_ms"],
             money["lambda"], money["dynamodb"], money["api_gateway"] if name != "authorizer" else 0.0,
             money["total"] if name != "authorizer" else money["lambda"] + money["dynamodb"]]
        )  # fmt: skip
    markdown = table(
        f"Cost per million requests in AWS (us-east-1, x86_64, {memory} MB, on-demand)",
        ["operation", "CPU ms", "DynamoDB calls", "RRU", "WRU", "billed ms", "Lambda $", "DynamoDB $",
         "API Gateway $", "total $"],
        lines,
    )  # fmt: skip
    markdown += "\n\n" + table(
        "Memory size, on paper from the measured CPU time",
        ["memory", "mean billed ms", "cold start ms (list)", "mean $ per million", "$ x ms"],
        memory_rows,
    )
    ours = priced["list (50 rows)"]["total"]
    markdown += (
        f"\n\nMeasured here: CPU time of each operation served warm by its zip ({measured['warm']} requests, "
        "median; this machine's core standing in for Lambda's vCPU) and each DynamoDB call it makes. "
        "Request units by DynamoDB's published rules from the item sizes (moto reports a constant): "
        f"reads 1 RRU per 4 KB strongly consistent, writes 1 WRU per 1 KB, transactional 2 WRU per 1 KB; "
        f"every item written here is under 1 KB (largest {measured['largest_item_bytes']} bytes). Billed ms = "
        f"CPU / vCPU share (1 vCPU at {FULL_VCPU_MB} MB) + {args.ddb_ms:g} ms per DynamoDB call + "
        f"{args.sts_calls:g} STS call(s) x {args.sts_ms:g} ms (tenant-scoped credentials; STS charges nothing "
        "per call). The authorizer is priced per invocation and left out of the other rows: API Gateway "
        "caches its answer 300 s per key. A list reads one page whatever the table holds (see the list page "
        f"benchmark), so it costs the same at 1 k and 100 k reservations; the original design's Scan reads "
        f"every item ({item_bytes} bytes each, eventually consistent, 1 MB pages; its CPU from a Scan of "
        f"{SCAN_SAMPLE:,} measured here, {measured['scan_cpu_per_item_ms'] * 1000:.1f} us per item): "
        f"{priced['original list: Scan of 100,000']['total'] / ours:,.0f}x ours per list at 100 k. "
        f"Memory: the lowest cost x latency is {chosen} MB; the catalogue configures {memory} MB."
    )
    data = {
        "memory_mb": memory,
        "memory_mb_chosen": chosen,
        "parameters": {"ddb_ms": args.ddb_ms, "sts_calls": args.sts_calls, "sts_ms": args.sts_ms},
        "prices": {"lambda_gb_s": LAMBDA_PER_GB_S, "lambda_request": LAMBDA_PER_REQUEST,
                   "rru": DYNAMODB_PER_RRU, "wru": DYNAMODB_PER_WRU, "api_gateway": API_GATEWAY_PER_REQUEST},
        "operations": priced,
        "memory_choices": memory_rows,
        **{k: v for k, v in measured.items() if k != "rows"},
    }  # fmt: skip
    write("cost", data, markdown)
    missed = []
    if priced["original list: Scan of 1,000"]["total"] < ours:
        missed.append("the list costs more than the original design's Scan of 1 k")
    if chosen != memory:
        missed.append(f"the catalogue configures {memory} MB, the measured choice is {chosen} MB")
    fail_if_missed(missed)
    return data


if __name__ == "__main__":
    main()
