"""Every deployed policy's actions, resources and condition keys checked against AWS's action database.

parliament (BSD-3, pinned) ships that database (``iam_definition.json``) in its wheel, so the check
runs offline.  Its default auditors must find nothing; its community auditors may only name the three
sensitive actions the design needs, each already confined (see the reasons below).  A trust policy is
checked as the identity statement it amounts to (its actions and condition keys on the role it
guards), since parliament audits identity policies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from reservations.catalogue import FUNCTIONS
from tests.security.deployed import NAME, deployed, role_arn

DOCUMENTS: list[tuple[str, dict[str, Any]]] = []
for _name, _documents in deployed().items():
    DOCUMENTS.append((f"{_name}/role", _documents["role"]))
    if _documents["tenant"] is not None:
        DOCUMENTS.append((f"{_name}/tenant", _documents["tenant"]))
    if _documents["tenant_trust"] is not None:
        statements = []
        for statement in _documents["tenant_trust"]["Statement"]:
            as_identity = {k: v for k, v in statement.items() if k != "Principal"}
            statements.append(as_identity | {"Resource": role_arn(f"{NAME}-{_name}-tenant")})
        DOCUMENTS.append((f"{_name}/tenant_trust", {"Version": "2012-10-17", "Statement": statements}))

# Community auditors' notes on sensitive actions the design needs, and why each is confined.
EXPECTED_SENSITIVE = {
    # The API functions assume their own tenant role only; its trust demands one customer tag ...
    *((f"{f.name}/role", "CREDENTIALS_EXPOSURE") for f in FUNCTIONS if f.tenant_grants),
    # ... and the same permission, seen from the tenant role's trust policy.
    *((f"{f.name}/tenant_trust", "CREDENTIALS_EXPOSURE") for f in FUNCTIONS if f.tenant_grants),
    # The scheduler functions pass one role (the schedule's invoker), to EventBridge Scheduler only.
    ("cluster-down/role", "PERMISSIONS_MANAGEMENT_ACTIONS"),
    ("cluster-up/role", "PERMISSIONS_MANAGEMENT_ACTIONS"),
    # The onboarding function lets DynamoDB hold a grant on the table key (kms:CreateGrant), only
    # through DynamoDB and only for an AWS resource: what creating a table encrypted with it takes.
    ("tenants-admin/role", "PERMISSIONS_MANAGEMENT_ACTIONS"),
}


def findings(document: dict[str, Any], *, community: bool = False) -> list[tuple[str, str]]:
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=community)
    return [(finding.issue, str(finding.detail)) for finding in policy.findings]


@pytest.mark.parametrize(("where", "document"), DOCUMENTS, ids=[w for w, _ in DOCUMENTS])
def test_no_finding(where: str, document: dict[str, Any]) -> None:
    assert findings(document) == [], where


def test_community_auditors_name_only_the_confined_sensitive_actions() -> None:
    found = {
        (where, issue) for where, document in DOCUMENTS for issue, _ in findings(document, community=True)
    }
    assert found == EXPECTED_SENSITIVE


def test_parliament_does_catch_what_it_is_here_for() -> None:
    """The old hand-written policy granted dynamodb:TransactWriteItems, which is no IAM action."""
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:TransactWriteItems"],
                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/x",
            },
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::123456789012:role/x",
                "Condition": {"StringLike": {"aws:RequestTagg/customer": "?*"}},
            },
        ],
    }
    assert {issue for issue, _ in findings(bad)} == {"UNKNOWN_ACTION", "UNKNOWN_CONDITION_FOR_ACTION"}
