"""The evaluator against AWS's own documented examples: if it disagreed with AWS on these, its proof
of tenant isolation would be worthless.  Each policy below is the IAM User Guide's (or the DynamoDB
Developer Guide's) example, with the outcome the guide states."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.iam_eval import Request, UnsupportedPolicyError, allowed, evaluate

ACCOUNT = "123456789012"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# IAM User Guide, "IAM policy elements: Variables and tags": each user works in their own S3 "home".
HOME_DIRECTORY = policy(
    {
        "Action": ["s3:ListBucket"],
        "Effect": "Allow",
        "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket"],
        "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}},
    },
    {
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Effect": "Allow",
        "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*"],
    },
)


def test_policy_variable_in_resource_reaches_only_the_users_own_home() -> None:
    david = {"aws:username": "David"}
    own = Request("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/David/notes.txt", context=david)
    other = Request("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/Alice/notes.txt", context=david)
    assert allowed(own, [HOME_DIRECTORY])
    assert evaluate(other, [HOME_DIRECTORY]) == "ImplicitDeny"


def test_policy_variable_in_a_condition_value() -> None:
    bucket = "arn:aws:s3:::amzn-s3-demo-bucket"
    mine = Request("s3:ListBucket", bucket, context={"aws:username": "David", "s3:prefix": "David/photos"})
    theirs = Request("s3:ListBucket", bucket, context={"aws:username": "David", "s3:prefix": "Alice/"})
    assert allowed(mine, [HOME_DIRECTORY])
    assert not allowed(theirs, [HOME_DIRECTORY])


def test_a_variable_without_a_value_matches_nothing() -> None:
    """The guide: if there is no value for the key (a role has no aws:username), the element does not match."""
    role = Request("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket//notes.txt")
    assert evaluate(role, [HOME_DIRECTORY]) == "ImplicitDeny"


# IAM User Guide, "IAM tutorial: Define permissions to access AWS resources based on tags" (ABAC).
ABAC = policy(
    {
        "Sid": "AllActionsSecretsManagerSameProjectSameTeam",
        "Effect": "Allow",
        "Action": "secretsmanager:*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "aws:ResourceTag/access-project": "${aws:PrincipalTag/access-project}",
                "aws:ResourceTag/access-team": "${aws:PrincipalTag/access-team}",
                "aws:ResourceTag/cost-center": "${aws:PrincipalTag/cost-center}",
            },
            "ForAllValues:StringEquals": {
                "aws:TagKeys": ["access-project", "access-team", "cost-center", "Name", "OwnedBy"]
            },
            "StringEqualsIfExists": {
                "aws:RequestTag/access-project": "${aws:PrincipalTag/access-project}",
                "aws:RequestTag/access-team": "${aws:PrincipalTag/access-team}",
                "aws:RequestTag/cost-center": "${aws:PrincipalTag/cost-center}",
            },
        },
    }
)
PEACH_ENG = {"aws:PrincipalTag/access-project": "peach", "aws:PrincipalTag/access-team": "eng"}
PEACH_ENG |= {"aws:PrincipalTag/cost-center": "987654"}


def secret(project: str, **extra: Any) -> Request:
    tags = {"aws:ResourceTag/access-project": project, "aws:ResourceTag/access-team": "eng"}
    tags |= {"aws:ResourceTag/cost-center": "987654"}
    arn = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:test-{project}-AbCdEf"
    return Request("secretsmanager:GetSecretValue", arn, context={**PEACH_ENG, **tags, **extra})


def test_abac_allows_the_principals_own_project_only() -> None:
    assert allowed(secret("peach"), [ABAC])
    assert not allowed(secret("pecan"), [ABAC])


def test_abac_for_all_values_refuses_an_unlisted_tag_key_and_if_exists_checks_a_present_one() -> None:
    assert allowed(secret("peach", **{"aws:TagKeys": ["access-project", "Name"]}), [ABAC])
    assert not allowed(secret("peach", **{"aws:TagKeys": ["access-project", "stolen"]}), [ABAC])
    assert not allowed(secret("peach", **{"aws:RequestTag/access-project": "pecan"}), [ABAC])


# DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained access control".
GAME_SCORES = policy(
    {
        "Sid": "AllowAccessToOnlyItemsMatchingUserID",
        "Effect": "Allow",
        "Action": [
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        ],
        "Resource": ["arn:aws:dynamodb:us-west-2:123456789012:table/GameScores"],
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${www.amazon.com:user_id}"]}},
    }
)


def test_dynamodb_leading_keys_limit_a_user_to_their_partition() -> None:
    table = "arn:aws:dynamodb:us-west-2:123456789012:table/GameScores"
    user = {"www.amazon.com:user_id": "amzn1.account.AF"}
    assert allowed(
        Request("dynamodb:GetItem", table, context={**user, "dynamodb:LeadingKeys": ["amzn1.account.AF"]}),
        [GAME_SCORES],
    )
    other = {**user, "dynamodb:LeadingKeys": ["amzn1.account.XY"]}
    assert not allowed(Request("dynamodb:GetItem", table, context=other), [GAME_SCORES])
    other_table = "arn:aws:dynamodb:us-west-2:123456789012:table/Other"
    mine = {**user, "dynamodb:LeadingKeys": ["amzn1.account.AF"]}
    assert not allowed(Request("dynamodb:GetItem", other_table, context=mine), [GAME_SCORES])
    assert not allowed(Request("dynamodb:Scan", table, context=mine), [GAME_SCORES])


# IAM User Guide, "IAM JSON policy elements: Action": wildcards, case-insensitive.
def test_action_wildcards_and_case() -> None:
    keys = policy({"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "*"})
    for action in ("iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"):
        assert allowed(Request(action, f"arn:aws:iam::{ACCOUNT}:user/Bob"), [keys])
    assert not allowed(Request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/Bob"), [keys])
    get = policy({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    assert allowed(Request("S3:getobject", "arn:aws:s3:::b/k"), [get])


# IAM User Guide, "IAM JSON policy elements: NotAction": Allow with NotAction allows all but IAM.
def test_not_action_with_allow() -> None:
    all_but_iam = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert allowed(Request("s3:GetObject", "arn:aws:s3:::b/k"), [all_but_iam])
    assert not allowed(Request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"), [all_but_iam])


# IAM User Guide, "Policy evaluation logic": an explicit deny overrides any allow.
def test_explicit_deny_overrides_allow_across_policies() -> None:
    allow = policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    deny = policy(
        {
            "Effect": "Deny",
            "Action": "dynamodb:DeleteTable",
            "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/*",
        }
    )
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Books"
    assert evaluate(Request("dynamodb:DeleteTable", table), [allow, deny]) == "ExplicitDeny"
    assert allowed(Request("dynamodb:GetItem", table), [allow, deny])
    assert evaluate(Request("dynamodb:GetItem", table), []) == "ImplicitDeny"


# IAM User Guide, "Session policies": the session's permissions are the intersection.
def test_session_policy_intersects_the_roles_policy() -> None:
    role = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"})
    session = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    get = Request("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/k")
    put = Request("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/k")
    elsewhere = Request("s3:GetObject", "arn:aws:s3:::other/k")
    assert allowed(get, [role], session_policy=session)
    assert evaluate(put, [role], session_policy=session) == "ImplicitDeny"  # the session does not grant it
    assert evaluate(elsewhere, [role], session_policy=session) == "ImplicitDeny"  # the role does not


# IAM User Guide, "Resource": ARN wildcards; each of the first five segments matched on its own.
def test_resource_wildcards_by_segment() -> None:
    users = policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": f"arn:aws:iam::{ACCOUNT}:user/*"})
    assert allowed(
        Request("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/division_abc/subdivision_xyz/Bob"), [users]
    )
    assert not allowed(Request("iam:GetUser", "arn:aws:iam::999999999999:user/Bob"), [users])
    regional = policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-*:*:table/T"}
    )
    assert allowed(Request("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/T"), [regional])
    assert not allowed(
        Request("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/T"), [regional]
    )


def test_a_star_ending_a_segment_matches_on_past_the_colons() -> None:
    """AWS lets ``eu-*`` swallow the region's rest *and* the account: this five-segment pattern
    reaches every ``prod-`` table in every account's EU regions.  Reading it segment by segment would
    deny it, an Allow under-reported: the unsafe direction for an isolation proof."""
    eu = policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:eu-*:table/prod-*"}
    )
    assert allowed(Request("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/prod-x"), [eu])
    assert allowed(
        Request("dynamodb:GetItem", "arn:aws:dynamodb:eu-central-1:999999999999:table/prod-y"), [eu]
    )
    assert not allowed(
        Request("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/prod-x"), [eu]
    )
    assert not allowed(Request("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/dev-x"), [eu])
    inside = policy(
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": f"arn:aws:dynamodb:eu-*-1:{ACCOUNT}:table/T",
        }
    )  # a star inside a segment stays in it
    assert allowed(Request("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/T"), [inside])
    assert not allowed(
        Request("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-2:{ACCOUNT}-1:{ACCOUNT}:table/T"), [inside]
    )


# IAM User Guide, "How IAM roles differ from resource-based policies" / "Policy evaluation logic": within
# one account a trust policy that names the caller's ARN is enough; naming the account (its root)
# delegates to the account, whose identity policies must then allow the call; another account's
# caller always needs both.
def test_a_trust_policy_naming_the_callers_arn_in_the_same_account_needs_no_identity_policy() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/Reader"
    alice = f"arn:aws:iam::{ACCOUNT}:user/Alice"
    outsider = "arn:aws:iam::999999999999:user/Alice"

    def trusting(principal: str) -> dict[str, Any]:
        return policy({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})

    may_assume = policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    as_alice = Request("sts:AssumeRole", role, principal_arn=alice)
    assert evaluate(as_alice, [], trust_policy=trusting(alice)) == "Allow"
    assert evaluate(as_alice, [], trust_policy=trusting(f"arn:aws:iam::{ACCOUNT}:root")) == "ImplicitDeny"
    assert evaluate(as_alice, [may_assume], trust_policy=trusting(f"arn:aws:iam::{ACCOUNT}:root")) == "Allow"
    as_outsider = Request("sts:AssumeRole", role, principal_arn=outsider)
    assert evaluate(as_outsider, [], trust_policy=trusting(outsider)) == "ImplicitDeny"
    assert evaluate(as_outsider, [may_assume], trust_policy=trusting(outsider)) == "Allow"
    deny = policy({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
    assert evaluate(as_alice, [deny], trust_policy=trusting(alice)) == "ExplicitDeny"


# IAM User Guide, condition keys: aws:PrincipalArn with ArnLike; Null tests a key's absence.
def test_arn_like_and_null() -> None:
    admins = policy(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Admin*"}},
        }
    )
    assert allowed(
        Request("s3:GetObject", "arn:aws:s3:::b/k", principal_arn=f"arn:aws:iam::{ACCOUNT}:role/AdminOps"),
        [admins],
    )
    assert not allowed(
        Request("s3:GetObject", "arn:aws:s3:::b/k", principal_arn=f"arn:aws:iam::{ACCOUNT}:role/Dev"),
        [admins],
    )
    long_term = policy(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"Null": {"aws:TokenIssueTime": "true"}},
        }
    )
    assert allowed(Request("s3:GetObject", "arn:aws:s3:::b/k"), [long_term])
    temporary = {"aws:TokenIssueTime": "2026-11-29T10:00:00Z"}
    assert not allowed(Request("s3:GetObject", "arn:aws:s3:::b/k", context=temporary), [long_term])


def test_substituted_values_are_literal_not_wildcards() -> None:
    """A tag value of ``*`` must not widen a resource; ``${*}`` is AWS's way to write a literal star."""
    tagged = policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/t}"}
    )
    assert not allowed(
        Request("s3:GetObject", "arn:aws:s3:::b/anything", context={"aws:PrincipalTag/t": "*"}), [tagged]
    )
    star = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"})
    assert allowed(Request("s3:GetObject", "arn:aws:s3:::b/*"), [star])
    assert not allowed(Request("s3:GetObject", "arn:aws:s3:::b/x"), [star])


def test_constructs_it_does_not_know_are_refused_not_guessed() -> None:
    for condition in (
        {"Bool": {"aws:SecureTransport": "true"}},
        {"DateGreaterThan": {"aws:CurrentTime": "2020"}},
    ):
        doc = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition})
        with pytest.raises(UnsupportedPolicyError):
            evaluate(
                Request("s3:GetObject", "arn:aws:s3:::b/k", context={"aws:SecureTransport": "true"}), [doc]
            )
    with pytest.raises(UnsupportedPolicyError):
        evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), [{"Version": "2008-10-17", "Statement": []}])
