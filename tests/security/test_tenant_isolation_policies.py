"""Tenant isolation proved by evaluating the deployed policies, not by reading our code.

With customer A's tenant session (the tenant role's policy, session tag ``customer=A``) every call the
store makes is allowed on A's table and denied on B's, on the registry and on a table whose name only
starts like A's; the functions' own roles reach no customer table, only the authorizer reads the
registry and nothing a function holds may write it; each role writes only its own log group.
"""

from __future__ import annotations

from typing import Any

import pytest

from reservations.catalogue import FUNCTIONS, Function
from tests.security.deployed import NAME, PREFIX, customer_table, deployed, role_arn, table_arn
from tests.security.iam_eval import Request, allowed, evaluate

POLICIES = deployed()
API = [f for f in FUNCTIONS if f.tenant_grants]
REGISTRY = table_arn(f"{PREFIX}reservations-customers")
# What each function's store code does to a table, as IAM sees it (a transaction is authorised per item).
STORE_OPERATIONS: dict[str, list[tuple[str, ...]]] = {
    "list": [("dynamodb:GetItem",), ("dynamodb:Query",)],
    "add": [
        ("dynamodb:GetItem",),
        ("dynamodb:BatchGetItem",),  # the rooms guard's read
        ("dynamodb:UpdateItem",),
        ("dynamodb:PutItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),  # the guard, a defined room
        ("dynamodb:PutItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"),  # the guard, no rooms
    ],
    "delete": [("dynamodb:GetItem",), ("dynamodb:DeleteItem", "dynamodb:DeleteItem", "dynamodb:DeleteItem")],
    "change": [
        ("dynamodb:GetItem",),
        ("dynamodb:BatchGetItem",),
        ("dynamodb:PutItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"),
        ("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:PutItem"),
    ],
    "list-rooms": [("dynamodb:Query",)],
    "put-room": [
        ("dynamodb:GetItem",),
        ("dynamodb:UpdateItem",),
        ("dynamodb:PutItem", "dynamodb:UpdateItem"),
    ],
    "delete-room": [
        ("dynamodb:GetItem",),
        ("dynamodb:Query",),
        ("dynamodb:DeleteItem", "dynamodb:UpdateItem"),
    ],
    "availability": [("dynamodb:Query",), ("dynamodb:BatchGetItem",)],
    "room-calendar": [("dynamodb:Query",), ("dynamodb:BatchGetItem",), ("dynamodb:UpdateItem",)],
    "calendar-feed": [("dynamodb:BatchGetItem",)],
    "channel-sync": [
        ("dynamodb:Query",),
        ("dynamodb:GetItem",),
        ("dynamodb:BatchGetItem",),
        ("dynamodb:UpdateItem",),
        ("dynamodb:PutItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),  # a block, a defined room
        ("dynamodb:PutItem", "dynamodb:ConditionCheckItem"),  # a block, no rooms
        ("dynamodb:DeleteItem", "dynamodb:DeleteItem"),  # a block released
    ],
}
WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]


def tenant_session(function: Function, customer: str | None) -> dict[str, Any]:
    tags = {} if customer is None else {"aws:PrincipalTag/customer": customer}
    arn = f"arn:aws:sts::123456789012:assumed-role/{NAME}-{function.name}-tenant/reservations-{customer}"
    return {"principal_arn": arn, "context": tags}


def call(function: Function, customer: str | None, actions: tuple[str, ...], *tables: str) -> bool:
    """One API call (a transaction: all its items, each on its table) under the customer's session."""
    session = tenant_session(function, customer)
    policy = POLICIES[function.name]["tenant"]
    targets = tables if len(tables) == len(actions) else [tables[0]] * len(actions)
    return all(
        allowed(Request(action, table, **session), [policy])
        for action, table in zip(actions, targets, strict=True)
    )


@pytest.mark.parametrize("function", API, ids=lambda f: f.name)
def test_a_customers_session_reaches_its_own_table_and_no_other(function: Function) -> None:
    for actions in STORE_OPERATIONS[function.name]:
        assert call(function, "star", actions, customer_table("star")), actions
        assert not call(function, "star", actions, customer_table("moon")), actions
        assert not call(function, "star", actions, customer_table("star-x")), (
            actions
        )  # a name that extends A's
        assert not call(function, "star-x", actions, customer_table("star")), actions
        assert not call(function, "star", actions, REGISTRY), actions
        assert not call(function, None, actions, customer_table("star")), actions  # untagged: nothing
        # a restored copy (``tenants restore``): A's own are A's; B's and look-alikes are not
        assert call(function, "star", actions, customer_table("star.r20261129071502123")), actions
        assert not call(function, "star", actions, customer_table("moon.r20261129071502123")), actions
        assert not call(function, "star", actions, customer_table("star-x.r20261129071502123")), actions
        assert not call(function, "star-x", actions, customer_table("star.r20261129071502123")), actions


@pytest.mark.parametrize("function", [f for f in API if f.name != "list"], ids=lambda f: f.name)
def test_a_transaction_with_one_item_on_another_customers_table_is_denied(function: Function) -> None:
    actions = STORE_OPERATIONS[function.name][-1]
    assert call(function, "star", actions, *[customer_table("star")] * len(actions))
    mixed = [customer_table("star")] * (len(actions) - 1) + [customer_table("moon")]
    assert not call(function, "star", actions, *mixed)


def test_the_list_session_cannot_write_even_its_own_table() -> None:
    (listing,) = [f for f in API if f.name == "list"]
    for action in WRITES:
        assert not call(listing, "star", (action,), customer_table("star"))


# Who reads the registry, and how: the authorizer (the key's owner, per request); the calendar feed
# (its route has no authorizer: the customer its token names, to find the table and see it active);
# the channel sync (the active customers).  Nobody else, and nobody writes it but the onboarding
# (tenants-admin, below).
REGISTRY_READERS = {
    "authorizer": {"dynamodb:BatchGetItem"},
    "calendar-feed": {"dynamodb:GetItem"},
    "channel-sync": {"dynamodb:Scan", "dynamodb:GetItem"},
}


def test_the_functions_own_roles_reach_no_table_and_never_write_the_registry() -> None:
    for function in FUNCTIONS:
        role = POLICIES[function.name]["role"]
        for action in [
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:BatchGetItem",
            *WRITES,
        ]:
            assert not allowed(Request(action, customer_table("star")), [role]), (function.name, action)
            if function.kind == "admin":
                continue  # the onboarding registers customers and their keys: below
            reads = REGISTRY_READERS.get(function.name, set())
            assert allowed(Request(action, REGISTRY), [role]) == (action in reads), (function.name, action)


def test_the_onboarding_role_writes_the_registry_and_makes_tables_but_reads_no_reservation() -> None:
    """Its table actions are the table's own (create, back up, drop); no item of a customer's table
    is within its reach (the loop above), only the registry's."""
    (admin,) = [f for f in FUNCTIONS if f.kind == "admin"]
    role = POLICIES[admin.name]["role"]
    assert allowed(Request("dynamodb:PutItem", REGISTRY), [role])
    assert allowed(Request("dynamodb:CreateTable", customer_table("star")), [role])
    assert allowed(Request("dynamodb:DeleteTable", customer_table("star")), [role])
    assert not allowed(Request("dynamodb:DeleteTable", REGISTRY), [role])
    assert not allowed(Request("dynamodb:Scan", REGISTRY), [role])


def test_only_the_named_readers_read_the_registry() -> None:
    assert {f.name for f in FUNCTIONS} >= set(REGISTRY_READERS)
    for function in API:
        for action in ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Scan"):
            assert not allowed(Request(action, REGISTRY), [POLICIES[function.name]["tenant"]])


@pytest.mark.parametrize("function", API, ids=lambda f: f.name)
def test_only_the_functions_own_role_assumes_its_tenant_role_with_one_customer_tag(
    function: Function,
) -> None:
    target = role_arn(f"{NAME}-{function.name}-tenant")
    trust = POLICIES[function.name]["tenant_trust"]

    def assume(caller: Function, tags: dict[str, str]) -> str:
        context: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags.items()} | {
            "aws:TagKeys": list(tags)
        }
        request = Request(
            "sts:AssumeRole", target, principal_arn=role_arn(f"{NAME}-{caller.name}"), context=context
        )
        tagging = Request("sts:TagSession", target, principal_arn=request.principal_arn, context=context)
        identity = [POLICIES[caller.name]["role"]]
        first = evaluate(request, identity, trust_policy=trust)
        return first if first != "Allow" else evaluate(tagging, identity, trust_policy=trust)

    assert assume(function, {"customer": "star"}) == "Allow"
    assert assume(function, {}) != "Allow"
    assert assume(function, {"customer": "star", "team": "x"}) != "Allow"
    assert assume(function, {"customer": ""}) != "Allow"
    for wildcard in ("*", "st*", "st?r"):  # a tag value becomes part of the table ARN
        assert assume(function, {"customer": wildcard}) == "ExplicitDeny", wildcard
    for other in FUNCTIONS:
        if other is not function:
            assert assume(other, {"customer": "star"}) != "Allow", other.name


def test_each_role_writes_only_its_own_log_group() -> None:
    def stream(function: Function) -> str:
        return f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{NAME}-{function.name}:log-stream:2026/x"

    for function in FUNCTIONS:
        role = POLICIES[function.name]["role"]
        for other in FUNCTIONS:
            own = other is function
            assert allowed(Request("logs:PutLogEvents", stream(other)), [role]) == own, (
                function.name,
                other.name,
            )
        if function.tenant_grants:
            tenant = POLICIES[function.name]["tenant"]
            assert not allowed(Request("logs:PutLogEvents", stream(function)), [tenant])


def test_no_data_service_is_granted_on_every_resource() -> None:
    data_services = ("dynamodb:", "s3:", "secretsmanager:", "sns:", "sqs:", "kms:")
    for documents in POLICIES.values():
        for key in ("role", "tenant"):
            for statement in (documents[key] or {"Statement": []})["Statement"]:
                if "*" in statement["Resource"]:
                    # ListBackups has no resource-level permission; it returns names, not data.
                    actions = [a for a in statement["Action"] if a != "dynamodb:ListBackups"]
                    assert not any(a.startswith(data_services) for a in actions), statement
