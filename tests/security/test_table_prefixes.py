"""Two deployments in one account never reach each other's tables, whatever their prefixes.

A tenant session reaches ``<prefix><customer>-reservations`` and its restored copies
``<prefix><customer>.r*-reservations``.  With ``prod-`` beside ``prod-eu-`` (or the empty prefix),
the ``prod-`` customer ``eu-star`` was the ``prod-eu-`` customer ``star``.  A prefix now ends with
``_`` and holds no ``.``; a customer name (and the trust policy's tag) holds neither, so the table
names of two deployments can no longer meet.  Proved with the deployed policies, evaluated.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from reservations.domain.errors import ValidationError
from reservations.iam import render
from reservations.settings import TABLE_PREFIX_RE, Settings
from tests.security.deployed import NAME, TEMPLATE, VALUES, deployed, role_arn, table_arn
from tests.security.iam_eval import Request, allowed, evaluate

ROOT = Path(__file__).resolve().parents[2]
# Names chosen to line up with the other deployment's tables: a prefix's tail, a restored copy's stamp.
CUSTOMERS = [
    "star",
    "eu",
    "eu-star",
    "prod-star",
    "prod-eu-star",
    "r20261129071502123",
    "e",
    "prod",
    "eu-",
    "r1",
]
STAMP = ".r20261129071502123"


def tenant_policy(prefix: str) -> dict[str, Any]:
    values = {**VALUES, "table_prefix": prefix, "registry_table": f"{prefix}reservations-customers"}
    policy: dict[str, Any] = json.loads(render(TEMPLATE.read_text(encoding="utf-8"), values))["functions"][
        "add"
    ]["tenant"]
    return policy


def overlaps(mine: str, theirs: str) -> list[tuple[str, str]]:
    """(my customer, their table) pairs where my customer's tenant session may write their table."""
    policy = tenant_policy(mine)
    found = []
    for customer, other in itertools.product(CUSTOMERS, CUSTOMERS):
        session = {"aws:PrincipalTag/customer": customer}
        for table in (f"{theirs}{other}-reservations", f"{theirs}{other}{STAMP}-reservations"):
            if allowed(Request("dynamodb:PutItem", table_arn(table), context=session), [policy]):
                found.append((customer, table))
    return found


def test_nesting_dash_prefixes_did_overlap() -> None:
    """The check below can fail: with the old rule's prefixes it finds the overlap the issue names."""
    assert ("eu-star", "prod-eu-star-reservations") in overlaps("prod-", "prod-eu-")
    assert overlaps("", "prod-")


@pytest.mark.parametrize(("mine", "theirs"), list(itertools.permutations(["", "prod_", "prod_eu_", "p_"], 2)))
def test_no_tenant_session_reaches_another_deployments_table(mine: str, theirs: str) -> None:
    assert overlaps(mine, theirs) == []


def test_a_prefix_must_end_with_an_underscore_and_hold_no_dot() -> None:
    for good in ("", "prod_", "prod_eu_", "Prod-1_", "_"):
        assert Settings(table_prefix=good).table_prefix == good
    for bad in ("prod-", "prod", "prod.", "prod._", "a.r_", "x" * 40 + "_"):
        with pytest.raises(ValidationError, match="must be empty or end with '_'"):
            Settings(table_prefix=bad)
    with pytest.raises(ValidationError):
        Settings.from_env({"RESERVATIONS_TABLE_PREFIX": "prod-"})


@pytest.mark.parametrize("root", ["terraform/modules/cell/variables.tf"])
def test_terraform_validates_the_prefix_by_the_same_rule(root: str) -> None:
    text = (ROOT / root).read_text(encoding="utf-8")
    block = text[text.index('variable "table_prefix"') :]
    hcl = re.search(r'regex\("([^"]+)", var\.table_prefix\)', block)
    assert hcl, f"{root}: no regex validation of table_prefix"
    samples = [
        "",
        "_",
        "prod_",
        "prod_eu_",
        "prod-",
        "prod",
        "prod.",
        "prod._",
        "x" * 39 + "_",
        "x" * 40 + "_",
    ]
    for sample in samples:
        in_terraform = re.search(hcl.group(1), sample) is not None
        assert in_terraform == (TABLE_PREFIX_RE.fullmatch(sample) is not None), sample


def test_the_trust_policy_refuses_a_tag_holding_a_prefix_or_copy_separator() -> None:
    trust = deployed()["add"]["tenant_trust"]
    caller = deployed()["add"]["role"]

    def assume(tag: str) -> str:
        context: dict[str, Any] = {"aws:RequestTag/customer": tag, "aws:TagKeys": ["customer"]}
        request = Request(
            "sts:AssumeRole",
            role_arn(f"{NAME}-add-tenant"),
            principal_arn=role_arn(f"{NAME}-add"),
            context=context,
        )
        return evaluate(request, [caller], trust_policy=trust)

    assert assume("star") == "Allow"
    for tag in ("eu_star", "star.r20261129071502123", "_", "."):
        assert assume(tag) == "ExplicitDeny", tag
