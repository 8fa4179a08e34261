"""Benchmark 1 of the core issue: cold start of each API function, next to the floor.

A fresh interpreter imports the function module and serves one request against DynamoDB (moto's
server); the floor is a fresh interpreter that imports boto3, creates the DynamoDB client and makes
one GetItem on the same endpoint.  Both are timed from the first line of the script (interpreter
start-up is the same for both and not ours to change).  Goal: ≤ 1.25 x the floor.

    python -m bench.cold_start [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import median, table, write
from bench.servers import create_customer, moto
from reservations.domain import NewReservation, today_utc
from reservations.settings import Settings
from reservations.stores import open_store

FLOOR = """
import time
started = time.perf_counter()
import boto3
client = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
client.get_item(TableName=TABLE, Key={"pk": {"S": "COUNTER"}, "sk": {"S": "COUNTER"}})
print(time.perf_counter() - started)
"""

FUNCTION = """
import time
started = time.perf_counter()
import json, importlib
module = importlib.import_module(MODULE)
result = module.handler(json.loads(EVENT), None)
elapsed = time.perf_counter() - started
assert OK(result), result
print(elapsed)
"""


def api_event(
    method: str, resource: str, customer: str, body: Any = None, path_params: dict[str, str] | None = None
) -> dict[str, Any]:
    from reservations.gateway import events

    request = events.HttpRequest(
        method=method,
        path=resource.replace("{id}", (path_params or {}).get("id", "")),
        headers=[("X-Customer", customer), ("Content-Type", "application/json")],
        query=[],
        body=json.dumps(body).encode() if body is not None else b"",
        request_id="bench",
    )
    return events.proxy_event(
        request, resource, path_params or {}, {"customer": customer, "principalId": customer}
    )


def run_script(script: str, env: dict[str, str], **values: str) -> float:
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items() if name != "OK")
    prelude += f"OK = {values.get('OK', 'lambda r: True')}\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + script], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"runs": args.runs, "seconds": {}}
    with moto("dynamodb") as endpoint:
        assert endpoint is not None
        tmp = Path(tempfile.mkdtemp(prefix="bench-cold-"))
        settings = Settings(store="dynamodb", data_dir=tmp, dynamodb_endpoint=endpoint, table_prefix="cold-")
        key = create_customer(settings, "cold")
        env = {
            **os.environ,
            **settings.to_env(),
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONDONTWRITEBYTECODE": "0",
        }
        table_name = settings.table_for("cold")
        store = open_store(settings)
        day = today_utc() + timedelta(days=200)
        doomed = [
            store.add(
                table_name, NewReservation("Doomed", 5000 + i, 1, day), created_at=settings_now()
            ).reservation
            for i in range(args.runs + 1)
        ]
        store.close()
        timings: dict[str, list[float]] = {
            "floor (boto3 + client + GetItem)": [],
            "list": [],
            "add": [],
            "delete": [],
            "authorizer": [],
        }
        for run in range(args.runs + 1):  # the first run warms the file cache and .pyc files; dropped
            sample = {
                "floor (boto3 + client + GetItem)": run_script(
                    FLOOR, env, ENDPOINT=endpoint, TABLE=table_name
                ),
                "list": run_script(
                    FUNCTION,
                    env,
                    MODULE="reservations.functions.list",
                    EVENT=json.dumps(api_event("GET", "/reservations", "cold")),
                    OK="lambda r: r['statusCode'] == 200",
                ),
                "add": run_script(
                    FUNCTION,
                    env,
                    MODULE="reservations.functions.add",
                    EVENT=json.dumps(
                        api_event(
                            "POST",
                            "/reservations",
                            "cold",
                            {
                                "guest_name": "Cold",
                                "room_number": 100 + run,
                                "nights": 1,
                                "check_in": day.isoformat(),
                            },
                        )
                    ),
                    OK="lambda r: r['statusCode'] == 201",
                ),
                "delete": run_script(
                    FUNCTION,
                    env,
                    MODULE="reservations.functions.delete",
                    EVENT=json.dumps(
                        api_event(
                            "DELETE",
                            "/reservations/{id}",
                            "cold",
                            path_params={"id": str(doomed[run].reservation_id)},
                        )
                    ),
                    OK="lambda r: r['statusCode'] == 204",
                ),
                "authorizer": run_script(
                    FUNCTION,
                    env,
                    MODULE="reservations.functions.authorizer",
                    EVENT=json.dumps(
                        {
                            "type": "REQUEST",
                            "methodArn": "arn:aws:execute-api:us-east-1:1:a/prod/GET/reservations",
                            "headers": {"X-Customer": "cold", "X-Api-Key": key},
                        }
                    ),
                    OK="lambda r: r['policyDocument']['Statement'][0]['Effect'] == 'Allow'",
                ),
            }
            if run:
                for name, value in sample.items():
                    timings[name].append(value)
    floor = median(timings["floor (boto3 + client + GetItem)"])
    rows = []
    for name, values in timings.items():
        results["seconds"][name] = values
        rows.append(
            [
                name,
                median(values) * 1000,
                min(values) * 1000,
                max(values) * 1000,
                f"{median(values) / floor:.2f}x",
            ]
        )
    markdown = table(
        f"Cold start, DynamoDB store on moto's server (median of {args.runs})",
        ["", "median ms", "min ms", "max ms", "vs floor"],
        rows,
    )
    write("cold_start", results, markdown)
    return results


def settings_now() -> Any:
    from reservations.domain import now_utc

    return now_utc()


if __name__ == "__main__":
    main()
