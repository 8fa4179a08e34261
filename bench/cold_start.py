"""Benchmark 1 of issue 15: cold start of each API function's deployed artifact, next to the floor.

Measured on the artifact as Lambda runs it, not on the development venv: each function's zip is
built (``reservations build``, for this interpreter's Python so the bytecode it ships loads here),
unpacked read-only as ``/var/task`` is, and run by ``python -S -B`` with
``PYTHONPATH=<unpacked zip>:<runtime>``, where ``<runtime>`` is the stand-in for the Lambda runtime's
own site-packages: the lock's boto3/botocore, compiled (``reservations.build.runtime``).  Nothing of
the venv is importable.

A cold start is a fresh interpreter importing the handler module and serving one request against
DynamoDB (moto's server); the floor is a fresh interpreter, same runtime directory, importing boto3,
creating the DynamoDB client and making one GetItem, run just before each cold start; the ratio of
each such pair is what is compared (the median of them), so the load of a shared machine, which
drifts between runs, cancels.  Both are timed from their first line (interpreter start-up is the
same for both and not ours to change).  Goal: every function ≤ 1.25 x
the floor; exits 1 when one is over.

The same process then serves ``--warm`` more requests: their median wall and CPU time are shown
beside (``bench.cost`` measures its own, per operation and stay length).

    python -m bench.cold_start [--runs 15] [--warm 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import fail_if_missed, median, table, write
from bench.servers import create_customer, moto
from reservations.build.builder import BuildRequest, build
from reservations.build.project import Project, find_project_root
from reservations.build.runtime import runtime_site
from reservations.catalogue import FUNCTIONS, get_function
from reservations.domain.parsing import now_utc, today_utc
from reservations.domain.reservation import NewReservation
from reservations.domain.rooms import Room
from reservations.settings import Settings
from reservations.stores import open_store

GOAL = 1.25
FLOOR_NAME = "floor (boto3 + client + GetItem)"
# Every function on a request's path, from the catalogue: one added there is measured (or, with no
# request below, the bench stops saying so) rather than silently left out.
API_FUNCTIONS = tuple(f.name for f in FUNCTIONS if f.kind in ("api", "authorizer"))
LISTED = 1  # the page the cold list reads: moto reads ~1 ms per item (see the note)
ROOM = 100  # the reading customer's one room (the list page's stay is in it)
TENANT_ROLE = "arn:aws:iam::123456789012:role/reservations-api-tenant"

FLOOR = """
import time
started = time.perf_counter()
import boto3
client = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
client.get_item(TableName=TABLE, Key={"pk": {"S": "COUNTER"}, "sk": {"S": "COUNTER"}})
print(json.dumps({"cold": time.perf_counter() - started, "cold_cpu": time.process_time()}))
"""

# EVENTS[0] is the cold request; the rest are served warm by the same process.
FUNCTION = """
import time
started = time.perf_counter()
import importlib
module = importlib.import_module(MODULE)
result = module.handler(EVENTS[0], None)
cold, cold_cpu = time.perf_counter() - started, time.process_time()
assert OK(result), result
warm, cpu = [], []
for event in EVENTS[1:]:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = module.handler(event, None)
    warm.append(time.perf_counter() - wall0)
    cpu.append(time.process_time() - cpu0)
    assert OK(result), result
print(json.dumps({"cold": cold, "cold_cpu": cold_cpu, "warm": warm, "warm_cpu": cpu}))
"""


def api_event(
    method: str,
    resource: str,
    customer: str,
    body: Any = None,
    path_params: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    from reservations.gateway import events

    path = resource
    for name, value in (path_params or {}).items():
        path = path.replace("{" + name + "}", value)
    request = events.HttpRequest(
        method=method,
        path=path,
        headers=[("X-Customer", customer), ("Content-Type", "application/json")],
        query=query or [],
        body=json.dumps(body).encode() if body is not None else b"",
        request_id="bench",
    )
    return events.proxy_event(
        request, resource, path_params or {}, {"customer": customer, "principalId": customer}
    )


class Artifact:
    """The API functions' zips, unpacked read-only, and the runtime directory behind them."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.project = Project(find_project_root(Path(__file__)))
        self.runtime = runtime_site(self.project)
        self.python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.tasks: dict[str, Path] = {}
        self.metadata: dict[str, Any] = {}

    def unpack(self, function: str) -> Path:
        result = build(
            self.project,
            BuildRequest(
                function=function, build_id="bench", python_version=self.python_version, out_dir=self.work
            ),
        )
        assert result.metadata.bytecode, "the zip was built without bytecode"
        task = self.work / "task" / function
        with zipfile.ZipFile(result.zip_path) as archive:
            archive.extractall(task)
        for path in [*task.rglob("*"), task]:  # /var/task is read-only
            path.chmod(0o555 if path.is_dir() else 0o444)
        self.tasks[function] = task
        self.metadata[function] = {
            "zip_bytes": result.stats.size,
            "unzipped_bytes": result.stats.unzipped_size,
            "bytecode": result.metadata.bytecode,
        }
        return task

    def settings(self, endpoint: str, prefix: str) -> Settings:
        return Settings(
            store="dynamodb", data_dir=self.work / "data", dynamodb_endpoint=endpoint, table_prefix=prefix
        )

    @staticmethod
    def environment(settings: Settings) -> dict[str, str]:
        """What Lambda gives a function: its configuration and credentials, nothing of this shell."""
        return {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            **settings.to_env(),
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "reservations-bench",
            "POWERTOOLS_LOG_LEVEL": "INFO",  # the request line is part of every request's work
        }

    def run(self, script: str, path: list[Path], env: dict[str, str], **values: Any) -> dict[str, Any]:
        prelude = "import json\n" + "".join(
            f"{name} = json.loads({json.dumps(value)!r})\n" for name, value in values.items() if name != "OK"
        )
        prelude += f"OK = {values.get('OK', 'lambda r: True')}\n"
        completed = subprocess.run(
            [sys.executable, "-S", "-B", "-c", prelude + script],
            env={**env, "PYTHONPATH": ":".join(str(p) for p in path)},
            cwd=self.work,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(completed.stderr[-3000:])
        data: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
        return data

    def cleanup(self) -> None:
        for path in [self.work, *self.work.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(self.work, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warm", type=int, default=5, help="warm requests after each cold one")
    args = parser.parse_args(argv)
    artifact = Artifact(Path(tempfile.mkdtemp(prefix="bench-cold-")))
    try:
        results = measure(artifact, args.runs, args.warm)
    finally:
        artifact.cleanup()
    return report(results, args.runs)


def measure(artifact: Artifact, runs: int, warm_count: int) -> dict[str, Any]:
    tasks = {name: artifact.unpack(name) for name in API_FUNCTIONS}
    with moto("dynamodb") as endpoint:
        assert endpoint is not None
        settings = artifact.settings(endpoint, "cold_")
        key = create_customer(settings, "cold")
        env = artifact.environment(settings)
        # As Terraform configures them: an API function reaches a customer's table only under the
        # tenant-access role it assumes (STS on the same moto server), the authorizer under its own.
        function_env = {
            name: artifact.environment(replace(settings, tenant_role_arn=TENANT_ROLE))
            if get_function(name).kind == "api"
            else env
            for name in API_FUNCTIONS
        }
        table_name = settings.table_for("cold")
        store = open_store(settings)
        day = today_utc() + timedelta(days=200)
        per_run = 1 + warm_count
        for i in range(LISTED):
            store.add(table_name, NewReservation("Listed", ROOM + i, 2, day), created_at=now_utc())
        store.put_room(table_name, Room(ROOM, "Garden"))
        # Writes go to fresh customers each run: moto copies a whole table for every transaction
        # (~0.5 ms per item), which DynamoDB does not, so a table that grew over the run would
        # measure the emulator.  The list page stays the same size all run long.
        writers = [f"cold-w{run}" for run in range(runs + 1)]
        held: list[Any] = []  # per writer, per_run stays: changed, then deleted
        for writer in writers:
            create_customer(settings, writer)
            held += [
                store.add(
                    settings.table_for(writer),
                    NewReservation("Held", 5000 + i, 1, day),
                    created_at=now_utc(),
                ).reservation
                for i in range(per_run)
            ]
        store.close()
        samples: dict[str, list[dict[str, Any]]] = {FLOOR_NAME: [], **{name: [] for name in API_FUNCTIONS}}
        for run in range(runs + 1):  # the first run warms the file cache; dropped
            plan = requests(run, per_run, writers[run], held, day, key)
            unplanned = sorted(set(API_FUNCTIONS) - set(plan))
            if unplanned:
                raise SystemExit(f"cold_start: no request planned for {', '.join(unplanned)}")
            # Each function right after a floor of its own: on a shared machine the load drifts
            # between runs, and a ratio of neighbours cancels most of it.
            for name, (events, ok) in plan.items():
                floor = artifact.run(FLOOR, [artifact.runtime], env, ENDPOINT=endpoint, TABLE=table_name)
                sample = artifact.run(
                    FUNCTION,
                    [tasks[name], artifact.runtime],
                    function_env[name],
                    MODULE=get_function(name).module,
                    EVENTS=events,
                    OK=ok,
                )
                if run:
                    samples[FLOOR_NAME].append(floor)
                    samples[name].append(
                        sample
                        | {
                            "ratio": sample["cold"] / floor["cold"],
                            "cpu_ratio": sample["cold_cpu"] / floor["cold_cpu"],
                        }
                    )
    return {"samples": samples, "artifacts": artifact.metadata, "warm_requests": warm_count}


def requests(
    run: int, per_run: int, writer: str, held: list[Any], day: date, key: str
) -> dict[str, tuple[list[dict[str, Any]], str]]:
    """Each function's cold request and warm ones, with the check its answers must pass.

    Reads go to the customer ``cold`` (one stay, one room); writes to this run's own customer, in
    an order that leaves each request something to act on: the stays seeded for it are changed,
    then deleted; the rooms put are then deleted.
    """
    first = run * per_run
    mine = held[first : first + per_run]
    stay = {"guest_name": "Cold", "nights": 1, "check_in": day.isoformat()}
    status = "lambda r: r['statusCode'] == {}".format
    return {
        "list": ([api_event("GET", "/reservations", "cold")] * per_run, status(200)),
        "add": (
            [
                api_event("POST", "/reservations", writer, stay | {"room_number": 100 + i})
                for i in range(per_run)
            ],
            status(201),
        ),
        "change": (
            [
                api_event("PATCH", "/reservations/{id}", writer, {"nights": 2}, {"id": str(r.reservation_id)})
                for r in mine
            ],
            status(200),
        ),
        "delete": (
            [
                api_event("DELETE", "/reservations/{id}", writer, path_params={"id": str(r.reservation_id)})
                for r in mine
            ],
            status(204),
        ),
        "list-rooms": ([api_event("GET", "/rooms", "cold")] * per_run, status(200)),
        "put-room": (
            [
                api_event(
                    "PUT", "/rooms/{room_number}", writer, {"name": "Cold"}, {"room_number": str(7000 + i)}
                )
                for i in range(per_run)
            ],
            status(201),
        ),
        "delete-room": (
            [
                api_event(
                    "DELETE", "/rooms/{room_number}", writer, path_params={"room_number": str(7000 + i)}
                )
                for i in range(per_run)
            ],
            status(204),
        ),
        "availability": (
            [
                api_event(
                    "GET", "/availability", "cold", query=[("check_in", day.isoformat()), ("nights", "1")]
                )
            ]
            * per_run,
            status(200),
        ),
        "authorizer": (
            [
                {
                    "type": "REQUEST",
                    "methodArn": "arn:aws:execute-api:us-east-1:1:a/prod/GET/reservations",
                    "headers": {"X-Customer": "cold", "X-Api-Key": key},
                }
            ]
            * per_run,
            "lambda r: r['policyDocument']['Statement'][0]['Effect'] == 'Allow'",
        ),
    }


def report(results: dict[str, Any], runs: int) -> dict[str, Any]:
    samples = results["samples"]
    rows = []
    seconds: dict[str, list[float]] = {}
    warm: dict[str, dict[str, float]] = {}
    ratios: dict[str, float] = {}
    cpu_ratios: dict[str, float] = {}
    missed = []
    for name, values in samples.items():
        cold = [s["cold"] for s in values]
        seconds[name] = cold
        ratio = median([s["ratio"] for s in values]) if name != FLOOR_NAME else 1.0
        cpu_ratio = median([s["cpu_ratio"] for s in values]) if name != FLOOR_NAME else 1.0
        ratios[name] = ratio
        cpu_ratios[name] = cpu_ratio
        if name != FLOOR_NAME and ratio > GOAL:
            missed.append(f"{name} {ratio:.2f}x")
        warm_wall = [w for s in values for w in s.get("warm", [])]
        warm_cpu = [w for s in values for w in s.get("warm_cpu", [])]
        if warm_wall:
            warm[name] = {"wall_ms": median(warm_wall) * 1000, "cpu_ms": median(warm_cpu) * 1000}
        rows.append(
            [
                name,
                median(cold) * 1000,
                min(cold) * 1000,
                max(cold) * 1000,
                f"{ratio:.2f}x",
                f"{cpu_ratio:.2f}x",
                warm[name]["wall_ms"] if name in warm else "",
                warm[name]["cpu_ms"] if name in warm else "",
            ]
        )
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    markdown = table(
        f"Cold start of the deployed artifact, DynamoDB on moto's server (median of {runs})",
        ["", "cold median ms", "min ms", "max ms", "vs floor", "CPU vs floor", "warm ms", "warm CPU ms"],
        rows,
    )
    markdown += (
        f"\n\nEach zip as `reservations build` makes it (boto3 left to the runtime, bytecode for "
        f"CPython {python}), unpacked read-only and run by `python -S -B` with "
        "`PYTHONPATH=<zip>:<runtime>`; the runtime is the lock's boto3/botocore compiled, standing in "
        f"for the python{python} runtime's own, and the floor is that runtime importing boto3, making a "
        "DynamoDB client and one GetItem, run just before each function's cold start ('vs floor' is the median of "
        "those paired ratios, which cancels most of a shared machine's drifting load; 'CPU vs floor' the same for "
        "the process's CPU time from interpreter start, which the load moves less). Goal: each function ≤ "
        f"{GOAL}x the floor. Warm: the median of the next requests in the same process (CPU: "
        "`time.process_time`). Every function on a request's path is here (the catalogue's API functions "
        "and the authorizer), configured as Terraform configures them: each API function assumes its "
        "tenant-access role for the customer (an STS client and an AssumeRole call the floor does not make). "
        "The reads (reservations, rooms, availability) go to a customer with one stay "
        "and one room, the writes to a fresh customer each run: moto's Query costs ~1 ms per item and its "
        "transactions copy the whole table, which DynamoDB's do not."
    )
    data = {
        "runs": runs,
        "goal": GOAL,
        "seconds": seconds,
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
        "warm": warm,
        "warm_requests": results["warm_requests"],
        "artifacts": results["artifacts"],
        "missed": missed,
    }
    write("cold_start", data, markdown)
    fail_if_missed([f"cold start over {GOAL}x the floor: {', '.join(missed)}"] if missed else [])
    return data


if __name__ == "__main__":
    main()
