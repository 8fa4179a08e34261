"""Existing deployments migrate without losing a table (issue #23): the root's ``removed`` blocks forget
every per-customer resource a deployment from before had in its state, and destroy none.

Terraform plans the root's own ``removed`` blocks (copied verbatim from terraform/main.tf) against a
state holding what ``var.customers`` used to make for two customers: their tables, API keys, usage
plans and plan keys. ``terraform plan -refresh=false`` needs no AWS account (no object is read), only
the AWS provider, installed as ``make terraform-check`` installs it (``TF_CLI_CONFIG_FILE``, e.g.
``/work/shared/tools/terraform-offline``'s, or the registry).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .hcl import ROOT

CUSTOMERS = ("star", "moon")
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/prod-{}-reservations"

CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
"""


def removed_blocks() -> str:
    text = (ROOT / "terraform" / "main.tf").read_text(encoding="utf-8")
    return "\n".join(re.findall(r"^removed \{\n.*?^\}\n", text, flags=re.M | re.S))


def resource(
    module: str, kind: str, name: str, key: str | None, attributes: dict[str, Any]
) -> dict[str, Any]:
    instance: dict[str, Any] = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}
    if key is not None:
        instance["index_key"] = key
    return {
        "module": module,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider": PROVIDER,
        "instances": [instance],
    }


def state_before_issue_23() -> dict[str, Any]:
    resources = []
    for customer in CUSTOMERS:
        table = {
            "id": f"prod-{customer}-reservations",
            "name": f"prod-{customer}-reservations",
            "arn": ARN.format(customer),
            "deletion_protection_enabled": True,
        }
        resources.append(
            resource(f'module.customer_table["{customer}"]', "aws_dynamodb_table", "this", None, table)
        )
    for kind in ("aws_api_gateway_api_key", "aws_api_gateway_usage_plan", "aws_api_gateway_usage_plan_key"):
        instances = [
            resource("module.rest_api", kind, "customer", c, {"id": f"{kind}-{c}"})["instances"][0]
            for c in CUSTOMERS
        ]
        resources.append({**resource("module.rest_api", kind, "customer", None, {}), "instances": instances})
    for entry in resources:  # the table's schema is at version 1 in the provider
        if entry["type"] == "aws_dynamodb_table":
            entry["instances"][0]["schema_version"] = 1
    return {
        "version": 4,
        "terraform_version": "1.11.0",
        "serial": 1,
        "lineage": "3b0c6f7e-23a1-4c1e-9a35-000000000023",
        "outputs": {},
        "resources": resources,
    }


def terraform(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    terraform_bin = shutil.which("terraform")
    assert terraform_bin
    return subprocess.run(
        [terraform_bin, *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"},
        check=False,
    )


@pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the Terraform CLI")
def test_the_plan_forgets_every_customer_resource_and_destroys_none(tmp_path: Path) -> None:
    blocks = removed_blocks()
    assert blocks.count("removed {") == 4, "a removed block for tables, usage plans, keys and plan keys"
    (tmp_path / "main.tf").write_text(CONFIG + "\n" + blocks)
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state_before_issue_23()))
    init = terraform(tmp_path, "init", "-backend=false", "-input=false")
    if init.returncode != 0:
        pytest.skip(f"the AWS provider cannot be installed here: {init.stderr.strip().splitlines()[-1:]}")
    plan = terraform(tmp_path, "plan", "-refresh=false", "-input=false", "-out=plan.bin")
    assert plan.returncode == 0, plan.stderr
    shown = json.loads(terraform(tmp_path, "show", "-json", "plan.bin").stdout)
    changes = {c["address"]: c["change"]["actions"] for c in shown.get("resource_changes", [])}
    expected = {f'module.customer_table["{c}"].aws_dynamodb_table.this' for c in CUSTOMERS} | {
        f'module.rest_api.{kind}.customer["{c}"]'
        for kind in (
            "aws_api_gateway_api_key",
            "aws_api_gateway_usage_plan",
            "aws_api_gateway_usage_plan_key",
        )
        for c in CUSTOMERS
    }
    assert set(changes) == expected
    assert all(actions == ["forget"] for actions in changes.values()), changes
