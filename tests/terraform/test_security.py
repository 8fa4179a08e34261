"""Least privilege and secret handling, checked on the parsed configuration, plus checkov."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reservations import catalogue

from .hcl import ROOT, TERRAFORM, all_modules, blocks, child, tf_files

# Services holding or protecting data: their actions must name resources.
DATA_SERVICES = (
    "dynamodb",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "kms",
    "logs",
    "eks",
    "ssm",
    "scheduler",
    "lambda",
)
# Actions AWS offers without resource-level permissions, which may (only) use "*".
UNSCOPABLE = re.compile(
    r"^(xray:Put(TraceSegments|TelemetryRecords)|elasticloadbalancing:Describe\w+|ec2:Describe\w+"
    r"|dynamodb:ListBackups)$"
)
# Of those, a data service's that returns names, never data: the onboarding's search for a final
# backup it took already (tenants-admin).
NAMES_ONLY = frozenset({"dynamodb:ListBackups"})
SECRET_NAME = re.compile(r"token|secret|password|passwd|api_key|apikey|private_key|credential", re.I)


def policy_statements() -> list[tuple[str, str, dict[str, Any]]]:
    """Every statement of every aws_iam_policy_document and of the functions' policy template:
    (module, document, statement), the template's in the HCL block's shape."""
    found = []
    for module in all_modules():
        for (kind, name), body in module.data.items():
            if kind != "aws_iam_policy_document":
                continue
            for statement in blocks(body, "statement"):
                found.append((module.name, name, statement))
    template = json.loads((TERRAFORM / "modules" / "iam" / "policies.json.tftpl").read_text(encoding="utf-8"))
    for function, documents in template["functions"].items():
        for role, document in documents.items():
            for statement in (document or {"Statement": []})["Statement"]:
                shaped = {"sid": statement["Sid"], "effect": statement["Effect"]}
                shaped |= {"actions": statement["Action"], "resources": statement["Resource"]}
                found.append(("iam", f"{function}/{role}", shaped))
    return found


def as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


@pytest.mark.slow
def test_there_are_policies_to_check() -> None:
    assert len(policy_statements()) >= 25


def test_no_statement_allows_every_action_except_the_key_policys_account_root() -> None:
    for module, document, statement in policy_statements():
        if statement.get("effect") == "Deny":
            continue  # denying every action (e.g. over plain HTTP) only narrows
        for action in as_list(statement.get("actions", [])):
            if action.endswith(":*") or action == "*":
                is_key_admin = (
                    document == "kms"
                    and action == "kms:*"
                    and ":root" in json.dumps(statement.get("principals", []))
                )
                assert is_key_admin, f"{module}/{document}: {action} in {statement.get('sid')}"


def test_no_data_service_action_on_every_resource() -> None:
    for module, document, statement in policy_statements():
        if document == "kms" or statement.get("effect") == "Deny":
            continue  # a key policy's "*" is the key itself; a Deny on "*" only narrows
        resources = as_list(statement.get("resources", []))
        if "*" not in resources:
            continue
        for action in as_list(statement.get("actions", [])):
            service = action.split(":")[0]
            assert UNSCOPABLE.match(action), f"{module}/{document}: {action} on Resource '*'"
            assert service not in DATA_SERVICES or action in NAMES_ONLY, (
                f"{module}/{document}: {action} on '*'"
            )


def template_statements(function: str, role: str = "role") -> list[dict[str, Any]]:
    """A function's statements in the committed policy template (``${...}`` not yet filled)."""
    template = json.loads((TERRAFORM / "modules" / "iam" / "policies.json.tftpl").read_text(encoding="utf-8"))
    document = template["functions"][function][role]
    return list(document["Statement"]) if document else []


def test_application_functions_touch_only_their_customers_table_and_the_authorizer_the_registry() -> None:
    for function in catalogue.FUNCTIONS:
        own = [
            s
            for s in template_statements(function.name)
            if any(a.startswith("dynamodb:") for a in s["Action"])
        ]
        tenant = template_statements(function.name, "tenant")
        if function.kind in ("api", "sync"):
            # The calendar feed (no authorizer) reads its customer's registry entry, the sync the
            # active customers: the registry only, never to write (tests/security).
            registry = {
                "calendar-feed": {"dynamodb:GetItem"},
                "channel-sync": {"dynamodb:Scan", "dynamodb:GetItem"},
            }
            assert all(s["Resource"] == [catalogue.REGISTRY_TABLE] for s in own), function.name
            assert {a for s in own for a in s["Action"]} == registry.get(function.name, set()), function.name
            dynamo = [s for s in tenant if any(a.startswith("dynamodb:") for a in s["Action"])]
            assert dynamo
            assert all(s["Resource"] == list(catalogue.CUSTOMER_TABLES) for s in dynamo)
        elif function.kind == "authorizer":
            assert own
            assert all(s["Resource"] == [catalogue.REGISTRY_TABLE] for s in own)
            assert {a for s in own for a in s["Action"]} == {"dynamodb:BatchGetItem"}
        elif function.kind == "admin":  # makes and removes customer tables, registers customers
            assert tenant == []
            allowed = {catalogue.ONBOARDED_TABLES, catalogue.REGISTRY_TABLE, "*"}
            assert own
            assert all(set(s["Resource"]) <= allowed for s in own)
            assert all(s["Action"] == ["dynamodb:ListBackups"] for s in own if "*" in s["Resource"])
        else:
            assert own == []


def test_scheduler_functions_touch_only_their_cluster_secret_and_topic() -> None:
    for function in (f for f in catalogue.FUNCTIONS if f.kind == "scheduler"):
        for statement in template_statements(function.name):
            actions, resources = statement["Action"], statement["Resource"]
            if any(a.startswith("eks:") for a in actions):
                assert set(resources) <= {catalogue.CLUSTER, catalogue.NODEGROUPS, catalogue.FARGATE_PROFILES}
            if any(a.startswith("secretsmanager:") for a in actions):
                assert resources == ["${tfc_token_secret_arn}"]
            if any(a.startswith("sns:") for a in actions):
                assert resources == ["${notify_topic_arn}"]
            if any(a.startswith(("elasticloadbalancing:Delete", "ec2:Delete")) for a in actions):
                assert statement["Condition"], "deletes must be limited to what the cluster owns"


def test_codebuild_touches_only_its_bucket_and_logs() -> None:
    statements = blocks(child("iam").data[("aws_iam_policy_document", "codebuild")], "statement")
    for statement in statements:
        for resource in as_list(statement["resources"]):
            assert resource.startswith(
                ("${var.artifacts_bucket_arn}", "${var.codebuild_log_group_arn}", "${var.kms_key_arn}")
            ), resource


def test_no_secret_variable_has_a_default() -> None:
    """A secret's variable may be optional (null: the feature is off), never defaulted to a value."""
    for module in all_modules():
        for name, body in module.variables.items():
            if SECRET_NAME.search(name):
                assert body.get("default") in (None, "null"), (
                    f"{module.name}: variable {name} defaults to a value"
                )


def test_no_secret_value_is_committed() -> None:
    for file in [*tf_files(), *TERRAFORM.rglob("*.tfvars*"), *TERRAFORM.rglob("*.json")]:
        text = file.read_text(encoding="utf-8")
        assert not re.search(r"rsv_[A-Za-z0-9_-]{8,}", text), f"{file}: an API key"
        assert not re.search(r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9]{20,}", text), (
            f"{file}: a Terraform Cloud token"
        )
        assert not re.search(r"AKIA[0-9A-Z]{16}", text), f"{file}: an AWS access key"


def test_waf_logs_redact_the_api_key() -> None:
    logging = child("rest_api").resource("aws_wafv2_web_acl_logging_configuration", "this")
    assert logging["redacted_fields"][0]["single_header"][0]["name"] == "x-api-key"
    settings = child("rest_api").resource("aws_api_gateway_method_settings", "all")["settings"][0]
    assert settings["data_trace_enabled"] is False


def checkov_path() -> Path:
    configured = os.environ.get("CHECKOV")
    path = Path(configured) if configured else ROOT / ".venv-checkov" / "bin" / "checkov"
    if not path.exists():
        pytest.fail(f"checkov not found at {path}: run `make checkov-venv` (or set CHECKOV)")
    return path


@pytest.mark.slow
def test_checkov_finds_no_failed_check() -> None:
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [
            str(checkov_path()),
            "-d",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--skip-download",
            "-o",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in r["results"]["failed_checks"]]
    passed = sum(r["summary"]["passed"] for r in reports)
    assert passed > 100, "checkov checked almost nothing"
    assert not failed, [f"{c['check_id']} {c['resource']} {c['file_path']}" for c in failed]


def test_every_checkov_skip_gives_its_reason() -> None:
    skips = 0
    for file in tf_files():
        for line in file.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" not in line:
                continue
            skips += 1
            match = re.fullmatch(r"\s*#checkov:skip=(CKV2?_[A-Z0-9]+_\d+):(.+)", line)
            assert match, f"{file}: malformed skip {line.strip()!r}"
            assert len(match.group(2).split()) >= 6, f"{file}: the reason for {match.group(1)} is too short"
    assert skips >= 10
