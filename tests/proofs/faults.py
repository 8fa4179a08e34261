"""Suite 6, dependency faults (DynamoDB): a fault-injecting HTTP proxy between the gateway and moto.

The proxy answers chosen requests itself, before moto sees them, with DynamoDB's throttling error,
a 500, or silence past botocore's read timeout, or it forwards the request and then withholds
moto's answer past that timeout; everything else it forwards.  Faults are aimed at
one customer's table (the request body names it), so the authorizer's registry reads pass.  Claims:
transient faults are retried with backoff and the client never notices; when the retries are
exhausted the client gets 503 + ``Retry-After`` and the store is unchanged; retrying with the same
``Idempotency-Key`` afterwards creates the reservation exactly once.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.proofs.harness import Figures, day, list_all
from tests.support.server import free_port

THROTTLE = (
    400,
    "com.amazonaws.dynamodb.v20120810#ThrottlingException",
    "Rate of requests exceeds the allowed throughput.",
)
SERVER_ERROR = (500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error")
# step 3's adds take rooms from 510 upwards; the timeout steps' rooms must never meet them
TIMEOUT_ROOMS = 10_000
READ_TIMEOUT_S = 5  # the store's botocore read_timeout (stores/dynamodb_client.py)


@dataclass
class Plan:
    """Which requests fail, and how: ``kinds`` drawn at random with probability ``rate``."""

    target: bytes = b""  # a table name; only requests whose body names it can fail
    rate: float = 0.0
    kinds: tuple[str, ...] = ("throttle",)
    operations: tuple[str, ...] = ()  # e.g. ("TransactWriteItems",); empty: any operation
    budget: int | None = None  # at most this many faults, then everything passes
    seed: int = 1
    rng: random.Random = field(default_factory=random.Random)
    injected: Counter[str] = field(default_factory=Counter)
    forwarded: Counter[str] = field(default_factory=Counter)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.plan = Plan()
        self.lock = threading.Lock()
        self.port = free_port()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
                fault = proxy.choose(operation, body)
                if fault == "timeout":
                    time.sleep(READ_TIMEOUT_S + 1)
                    self.close_connection = True
                    return
                if fault in ("throttle", "server_error"):
                    status, kind, message = THROTTLE if fault == "throttle" else SERVER_ERROR
                    self._answer(
                        status,
                        [("Content-Type", "application/x-amz-json-1.0")],
                        json.dumps({"__type": kind, "message": message}).encode(),
                    )
                    return
                conn = http.client.HTTPConnection(
                    proxy.upstream.hostname or "127.0.0.1", proxy.upstream.port, timeout=60
                )
                try:
                    conn.request(
                        "POST",
                        self.path,
                        body=body,
                        headers={k: v for k, v in self.headers.items() if k.lower() != "connection"},
                    )
                    response = conn.getresponse()
                    payload = response.read()
                    if fault == "lost_response":  # applied by moto, but the answer never arrives
                        time.sleep(READ_TIMEOUT_S + 1)
                        self.close_connection = True
                        return
                    headers = [
                        (k, v)
                        for k, v in response.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")
                    ]
                    self._answer(response.status, headers, payload)
                finally:
                    conn.close()

            def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def choose(self, operation: str, body: bytes) -> str | None:
        with self.lock:
            plan = self.plan
            aimed = (
                plan.target and plan.target in body and (not plan.operations or operation in plan.operations)
            )
            spent = plan.budget is not None and sum(plan.injected.values()) >= plan.budget
            if aimed and not spent and plan.rng.random() < plan.rate:
                kind = plan.rng.choice(plan.kinds)
                plan.injected[f"{operation}:{kind}"] += 1
                return kind
            plan.forwarded[operation] += 1
            return None

    def set(self, plan: Plan) -> None:
        plan.rng = random.Random(plan.seed)
        with self.lock:
            self.plan = plan


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream)
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()


def _add(url: str, headers: dict[str, str], n: int, key: str, timeout: float = 120) -> httpx.Response:
    body = {"guest_name": f"fault {n}", "room_number": 500 + n, "nights": 2, "check_in": day(10)}
    return httpx.post(
        f"{url}/reservations", json=body, headers={**headers, "Idempotency-Key": key}, timeout=timeout
    )


def _unavailable(response: httpx.Response) -> bool:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return response.status_code == 503 and code == "unavailable" and bool(response.headers.get("retry-after"))


def run(
    url: str,
    proxy: FaultProxy,
    headers: dict[str, str],
    table: str,
    *,
    adds: int,
    rate: float,
    timeouts: int,
    store: str = "dynamodb",
) -> Figures:
    """``url``: a gateway whose DynamoDB endpoint is ``proxy``; ``headers`` name the customer of ``table``."""
    figures = Figures("dependency faults", store)
    target = table.encode()
    run_id = f"{time.time_ns()}"

    # 1. Retries exhausted: every write to the table throttled (then 500s) -> 503, nothing written.
    for kind in ("throttle", "server_error"):
        before = list_all(url, headers)
        proxy.set(
            Plan(target=target, rate=1.0, kinds=(kind,), operations=("TransactWriteItems", "UpdateItem"))
        )
        response = _add(url, headers, 0, f"exhausted-{kind}-{run_id}")
        attempts = sum(proxy.plan.injected.values())
        figures.add("faults_injected", attempts)
        proxy.set(Plan())
        if not _unavailable(response):
            figures.fail(
                f"{kind} exhausted: {response.status_code} {response.headers.get('retry-after')} {response.text[:200]}"
            )
        else:
            figures.add("exhausted_503_with_retry_after")
        if attempts < 2:
            figures.fail(f"{kind}: the store did not retry (attempts={attempts})")
        figures.counts[f"attempts_when_{kind}"] = attempts
        if list_all(url, headers) != before:
            figures.fail(f"{kind} exhausted: the store changed")
        # the client retries the same request later: exactly one reservation
        again = _add(url, headers, 0, f"exhausted-{kind}-{run_id}")
        replay = _add(url, headers, 0, f"exhausted-{kind}-{run_id}")
        if again.status_code != 201 or replay.status_code != 201 or again.json() != replay.json():
            figures.fail(
                f"{kind}: retry after recovery {again.status_code}/{replay.status_code}: {replay.text[:200]}"
            )
        elif replay.headers.get("idempotent-replayed") != "true":
            figures.fail(f"{kind}: the second retry was not a replay")
        delete = (
            httpx.delete(f"{url}/reservations/{again.json()['reservation_id']}", headers=headers, timeout=60)
            if again.status_code == 201
            else None
        )
        if delete is not None and delete.status_code != 204:
            figures.fail(f"{kind}: delete after recovery answered {delete.status_code}")

    # 2. A delete whose retries are exhausted: 503 and the reservation is still there.
    kept = _add(url, headers, 1, f"kept-{run_id}")
    proxy.set(Plan(target=target, rate=1.0, kinds=("throttle",), operations=("TransactWriteItems",)))
    delete = httpx.delete(f"{url}/reservations/{kept.json()['reservation_id']}", headers=headers, timeout=120)
    proxy.set(Plan())
    if not _unavailable(delete):
        figures.fail(f"exhausted delete answered {delete.status_code} {delete.text[:200]}")
    if (
        httpx.get(
            f"{url}/reservations/{kept.json()['reservation_id']}", headers=headers, timeout=60
        ).status_code
        != 200
    ):
        figures.fail("an exhausted delete removed the reservation")

    # 3. Transient faults on every operation of the table at ``rate``: retried; 503s retried by the client.
    proxy.set(Plan(target=target, rate=rate, kinds=("throttle", "server_error"), seed=len(run_id)))
    first: dict[str, httpx.Response] = {}
    for n in range(adds):
        key = f"transient-{n}-{run_id}"
        first[key] = _add(url, headers, 10 + n, key)
        figures.add("requests_under_faults")
        if first[key].status_code == 503:
            figures.add("client_saw_503")
            if not _unavailable(first[key]):
                figures.fail(f"503 without the JSON body or Retry-After: {first[key].text[:200]}")
        elif first[key].status_code != 201:
            figures.fail(f"transient faults: {first[key].status_code} {first[key].text[:200]}")
    figures.add("faults_injected", sum(proxy.plan.injected.values()))
    # 4. One read timeout per request on the transaction of ``timeouts`` adds, before moto sees it
    #    ("timeout") or after moto applied it ("lost_response": botocore's retry carries the same
    #    ClientRequestToken, which DynamoDB answers with the first success): 201 either way, once.
    for n in range(timeouts):
        for offset, kind in ((0, "timeout"), (50, "lost_response")):
            # only the first attempt hangs: the budget lets botocore's retry through
            proxy.set(
                Plan(target=target, rate=1.0, kinds=(kind,), operations=("TransactWriteItems",), budget=1)
            )
            key = f"timeout-{n + offset}-{run_id}"
            first[key] = _add(url, headers, TIMEOUT_ROOMS + n + offset, key)
            figures.add("timeouts_injected", sum(proxy.plan.injected.values()))
            if first[key].status_code != 201 or first[key].headers.get("idempotent-replayed"):
                figures.fail(f"{kind}: {first[key].status_code} {first[key].headers} {first[key].text[:200]}")
    # 5. A delete whose answer is lost after moto applied it: 204, not 404.
    if timeouts:
        victim = _add(url, headers, TIMEOUT_ROOMS + 99, f"victim-{run_id}").json()["reservation_id"]
        proxy.set(
            Plan(
                target=target,
                rate=1.0,
                kinds=("lost_response",),
                operations=("TransactWriteItems",),
                budget=1,
            )
        )
        gone = httpx.delete(f"{url}/reservations/{victim}", headers=headers, timeout=120)
        figures.add("timeouts_injected", sum(proxy.plan.injected.values()))
        proxy.set(Plan())
        if gone.status_code != 204:
            figures.fail(f"delete whose answer was lost: {gone.status_code} {gone.text[:200]}")
    proxy.set(Plan())
    for key, response in first.items():
        n = int(key.split("-")[1])
        retry = _add(url, headers, (TIMEOUT_ROOMS if key.startswith("timeout") else 10) + n, key)
        if retry.status_code != 201:
            figures.fail(f"client retry of {key}: {retry.status_code} {retry.text[:200]}")
        elif response.status_code == 201 and retry.json() != response.json():
            figures.fail(f"client retry of {key} answered another reservation")
    stored = list_all(url, headers)
    guests = Counter(r["guest_name"] for r in stored)
    twice = [g for g, c in guests.items() if c > 1]
    if twice:
        figures.fail(f"created more than once: {twice[:5]}")
    figures.counts["reservations_stored"] = len(stored)
    figures.counts["duplicates"] = len(twice)
    return figures
