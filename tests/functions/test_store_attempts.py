"""Each request's line counts its throttled and failed DynamoDB attempts and names its customer: the
keys the monitoring's aggregate alarms and Contributor Insights rules read (terraform/modules/monitoring).

DynamoDB here is moto's server behind a loopback proxy that answers the attempts a test chooses the
way DynamoDB does when it throttles or fails; the rest reach moto.  The rules are rendered by
Terraform itself from the module's templates and applied to the lines a real function wrote.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reservations import wiring
from reservations.functions import http
from reservations.functions import list as list_function
from reservations.functions.runtime import logger
from reservations.settings import Settings
from reservations.tenants.admin import Tenants
from tests.support.settings import store_settings
from tests.terraform.console import templatefile
from tests.terraform.hcl import TERRAFORM

RULES = TERRAFORM / "modules" / "monitoring" / "rules"
EVENT = Path(__file__).parent / "events" / "rest_post_reservations.json"
DYNAMODB_ERROR = "com.amazonaws.dynamodb.v20120810#"
THROTTLED = (400, "ThrottlingException")
FAILED = (500, "InternalServerError")
ATTEMPTS = 5  # the stores' botocore config: max_attempts 4 retries after the first attempt


class FaultyDynamoDB:
    """A proxy to moto that answers the next DynamoDB attempts with the faults queued, in order."""

    def __init__(self, upstream: str) -> None:
        self.faults: list[tuple[int, str]] = []
        faults, lock = self.faults, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    fault = (
                        faults.pop(0)
                        if faults and "DynamoDB" in self.headers.get("X-Amz-Target", "")
                        else None
                    )
                if fault is not None:
                    answer = json.dumps({"__type": DYNAMODB_ERROR + fault[1], "message": "injected"}).encode()
                    self._answer(fault[0], {"Content-Type": "application/x-amz-json-1.0"}, answer)
                    return
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}
                }
                forwarded = urllib.request.Request(
                    upstream + self.path, data=body, headers=headers, method="POST"
                )
                try:
                    with urllib.request.urlopen(forwarded, timeout=30) as reply:
                        self._answer(reply.status, dict(reply.headers), reply.read())
                except urllib.error.HTTPError as error:
                    self._answer(error.code, dict(error.headers), error.read())

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in {
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "server",
                        "date",
                    }:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dynamodb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FaultyDynamoDB]:
    """The customer ``star`` on moto, the functions wired as in AWS (tenant-scoped) through the proxy."""
    settings = store_settings("dynamodb", tmp_path, request)
    proxy = FaultyDynamoDB(str(settings.dynamodb_endpoint))
    settings = replace(settings, dynamodb_endpoint=proxy.url)
    wiring.configure(settings)
    wiring.registry().ensure_table()  # type: ignore[attr-defined]
    Tenants(wiring.registry(), wiring.store(), settings).create("star")
    yield proxy
    wiring.configure(Settings(store="sqlite", data_dir=tmp_path / "unused"))
    proxy.close()


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the functions' logger writes."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream, previous_level = handler.setStream(buffer), logger.log_level
    logger.setLevel("INFO")
    yield buffer
    logger.setLevel(previous_level)
    handler.setStream(previous_stream)


def _listing() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(EVENT.read_text().replace("CHECK_IN", "2030-01-01"))
    return event | {"httpMethod": "GET", "body": None, "queryStringParameters": {"limit": "5"}}


def _request_lines(output: io.StringIO) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{")]
    return [line for line in found if line["message"] == "request"]


@pytest.mark.slow  # botocore's real retry back-off: seconds of sleep
def test_attempts_the_request_survived_are_counted_in_its_line(dynamodb: FaultyDynamoDB, lines: io.StringIO):
    list_function.handler(_listing(), None)  # warm: the customer's session is assumed
    dynamodb.faults.extend([THROTTLED, FAILED, THROTTLED])
    answered = list_function.handler(_listing(), None)
    list_function.handler(_listing(), None)
    assert answered["statusCode"] == 200  # botocore retried all three
    _, survived, clean = _request_lines(lines)
    assert (survived["customer"], survived["store_throttles"], survived["store_errors"]) == ("star", 2, 1)
    assert (clean["customer"], clean["store_throttles"], clean["store_errors"]) == ("star", 0, 0)


@pytest.mark.slow  # botocore's real retry back-off: seconds of sleep
def test_a_request_throttled_to_the_end_answers_503_and_counts_each_attempt(
    dynamodb: FaultyDynamoDB, lines: io.StringIO
):
    list_function.handler(_listing(), None)
    dynamodb.faults.extend([THROTTLED] * ATTEMPTS)
    answered = list_function.handler(_listing(), None)
    assert answered["statusCode"] == 503
    line = _request_lines(lines)[-1]
    assert (line["status"], line["customer"], line["store_throttles"], line["store_errors"]) == (
        503,
        "star",
        ATTEMPTS,
        0,
    )


def test_an_unhandled_error_line_names_the_customer(lines: io.StringIO):
    def broken(request: http.Request) -> http.Response:
        raise RuntimeError("a bug")

    event = _listing() | {"resource": "/broken"}
    assert http.run(event, None, {("GET", "/broken"): broken})["statusCode"] == 500
    found = [json.loads(line) for line in lines.getvalue().splitlines() if line.startswith("{")]
    error = next(line for line in found if line["message"] == "unhandled error")
    assert error["customer"] == "star"
    assert _request_lines(lines)[-1]["customer"] == "star"


# --- The Contributor Insights rules against these lines ---------------------------------------------


def _field(line: dict[str, Any], path: str) -> Any:
    assert path.startswith("$."), path
    value: Any = line
    for part in path[2:].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _passes(line: dict[str, Any], condition: dict[str, Any]) -> bool:
    """One filter, as Contributor Insights evaluates it (the operators the rules use)."""
    value = _field(line, condition["Match"])
    (operator,) = set(condition) - {"Match"}
    expected = condition[operator]
    if operator == "In":
        return value in expected
    if operator == "GreaterThan":
        return isinstance(value, int | float) and value > expected
    raise AssertionError(f"the test does not know the operator {operator}")


def _rule(name: str, slow_request_ms: int = 1000) -> dict[str, Any]:
    rendered = templatefile(
        RULES / f"{name}.json.tftpl",
        {"log_groups": ["/aws/lambda/x-list"], "slow_request_ms": slow_request_ms},
    )
    rule: dict[str, Any] = json.loads(rendered)
    return rule


def _contribution(rule: dict[str, Any], line: dict[str, Any]) -> tuple[tuple[Any, ...], float] | None:
    """The contributor a line counts for, and how much; None when the rule's filters drop it."""
    body = rule["Contribution"]
    if not all(_passes(line, f) for f in body.get("Filters", [])):
        return None
    keys = tuple(_field(line, key) for key in body["Keys"])
    assert all(k is not None for k in keys), (body["Keys"], line)
    amount = _field(line, body["ValueOf"]) if rule["AggregateOn"] == "Sum" else 1
    assert isinstance(amount, int | float), (body.get("ValueOf"), line)
    return keys, amount


def test_the_rules_rank_the_customer_on_the_lines_a_function_writes(
    dynamodb: FaultyDynamoDB, lines: io.StringIO
):
    list_function.handler(_listing(), None)
    dynamodb.faults.extend([THROTTLED] * ATTEMPTS)
    list_function.handler(_listing(), None)
    dynamodb.faults.extend([THROTTLED])
    list_function.handler(_listing(), None)
    clean, refused, survived = _request_lines(lines)
    other = copy.deepcopy(clean) | {"message": "unhandled error"}

    errors, throttles = _rule("customers-by-errors"), _rule("customers-by-store-throttles")
    assert [_contribution(errors, line) for line in (clean, refused, survived, other)] == [
        None,
        (("star",), 1),
        None,
        None,
    ]
    assert [_contribution(throttles, line) for line in (clean, refused, survived, other)] == [
        None,
        (("star",), ATTEMPTS),
        (("star",), 1),
        None,
    ]
    # Every request's duration_ms is a number the slow-requests rule compares: at 0 ms all count.
    everything = _rule("customers-by-slow-requests", slow_request_ms=0)
    assert [_contribution(everything, line) for line in (clean, refused, survived)] == [(("star",), 1)] * 3
    assert _contribution(everything, other) is None
