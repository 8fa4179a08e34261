"""Every AWS call a Lambda function makes in the suite, checked against what the catalogue declares.

Each botocore client made in the test process gets a ``before-parameter-build`` hook (botocore's
event system; it sees the call's own parameters, before serialisation);
a call made inside a catalogue function's ``handler`` is attributed to that function, and to its
tenant-access role when it is made in a customer's scope (signed with that customer's assumed
credentials, ``dynamodb_tenants.in_tenant_scope``).  The call's IAM
actions (a DynamoDB transaction needs the action of each item) must be among the actions that role's
deployed policy grants, or the test during which it happened errors.  Calls made by tests themselves
or by the admin CLI (not a function) are not the functions' and are ignored.  Calls inside a
``reservations serve`` subprocess are not seen here: the in-process handler tests cover the same code.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest

from reservations.catalogue import FUNCTIONS, Function
from reservations.stores.dynamodb_tenants import in_tenant_scope

_HANDLER_MODULES = {f.module: f for f in FUNCTIONS}
_TRANSACTION_ITEMS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True)
class Call:
    function: str
    role: str  # "role" (the function's own) or "tenant" (its tenant-access role)
    operation: str  # botocore's, e.g. "dynamodb:TransactWriteItems"
    actions: tuple[str, ...]  # the IAM actions it needs
    tables: tuple[str, ...]  # DynamoDB tables it touches


def iam_actions(
    prefix: str, operation: str, params: dict[str, Any], http_method: str = ""
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IAM actions and the DynamoDB tables of one API call (API Gateway's management calls are
    authorised as their HTTP verb: ``apigateway:GET``, ``apigateway:POST`` ...)."""
    if prefix == "apigateway":
        return (f"apigateway:{http_method}",), ()
    if prefix == "dynamodb" and operation in ("TransactWriteItems", "TransactGetItems"):
        items = [next(iter(item.items())) for item in params["TransactItems"]]
        actions = tuple(sorted({f"dynamodb:{_TRANSACTION_ITEMS[kind]}" for kind, _ in items}))
        return actions, tuple(sorted({body["TableName"] for _, body in items}))
    if prefix == "sts" and operation == "AssumeRole" and params.get("Tags"):
        return ("sts:AssumeRole", "sts:TagSession"), ()  # session tags need TagSession as well
    if prefix == "sqs" and operation.endswith("Batch"):
        return (f"sqs:{operation[: -len('Batch')]}",), ()  # SQS authorises a batch as its single call
    tables = (params["TableName"],) if prefix == "dynamodb" and "TableName" in params else ()
    return (f"{prefix}:{operation}",), tables


def _calling_function() -> Function | None:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "handler":
            function = _HANDLER_MODULES.get(frame.f_globals.get("__name__", ""))
            if function is not None:
                return function
        frame = frame.f_back  # type: ignore[assignment]
    return None


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def hook(self) -> Any:
        def before_parameter_build(model: Any, params: dict[str, Any], **_: Any) -> None:
            function = _calling_function()
            if function is None:
                return
            role = "tenant" if in_tenant_scope() else "role"
            prefix = model.service_model.signing_name
            actions, tables = iam_actions(prefix, model.name, params, model.http.get("method", ""))
            call = Call(function.name, role, f"{prefix}:{model.name}", actions, tables)
            with self._lock:
                self.calls.append(call)

        return before_parameter_build

    def take(self) -> list[Call]:
        with self._lock:
            taken, self.calls = self.calls, []
        return taken


RECORDER = Recorder()
_original_create_client = botocore.session.Session.create_client


def _recording_create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
    client = _original_create_client(self, *args, **kwargs)
    client.meta.events.register("before-parameter-build", RECORDER.hook())
    return client


botocore.session.Session.create_client = _recording_create_client


def granted_actions() -> dict[tuple[str, str], set[str]]:
    """(function, role) -> the IAM actions the deployed policy of that role grants."""
    from tests.security.deployed import deployed

    granted: dict[tuple[str, str], set[str]] = {}
    for name, documents in deployed().items():
        for role in ("role", "tenant"):
            statements = (documents[role] or {"Statement": []})["Statement"]
            granted[(name, role)] = {a for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
    return granted


def undeclared(calls: list[Call]) -> list[str]:
    granted = granted_actions()
    found = []
    for call in calls:
        missing = set(call.actions) - granted[(call.function, call.role)]
        if missing:
            found.append(
                f"{call.function} ({call.role}) called {call.operation}, needing undeclared {sorted(missing)}"
            )
    return sorted(set(found))


@pytest.fixture(autouse=True)
def _declared_aws_calls_only() -> Iterator[None]:
    """Errors the test during which a function made an AWS call its role does not declare."""
    RECORDER.take()
    yield
    problems = undeclared(RECORDER.take())
    if problems:
        pytest.fail(
            "AWS calls not declared in reservations.catalogue:\n" + "\n".join(problems), pytrace=False
        )
