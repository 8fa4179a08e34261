"""Existing deployments migrate without losing a table: the cell root's ``removed`` blocks forget every
per-customer resource a deployment from before issue #23 had in its state, and destroy none; its
``moved`` blocks carry every object of the one root before cells (issue #24) under ``module.cell``.

Terraform plans the cell root's own migration blocks (terraform/cell/migration.tf, verbatim) against
a state of the old root holding what ``var.customers`` used to make for two customers (their tables,
API keys, usage plans and plan keys), the registry table and the key, with a stand-in for the cell
module that declares the registry and the key where the module does. ``terraform plan
-refresh=false`` needs no AWS account (no object is read), only
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

from .hcl import ROOT, root

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


MIGRATION = ROOT / "terraform" / "cell" / "migration.tf"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000024"
REGISTRY = "prod_reservations-customers"

# Where the cell module declares the registry and the key; ignore_changes keeps the plan to the move
# (the stand-in's arguments are not the deployed ones, and nothing is refreshed).
STAND_IN = {
    "main.tf": """
resource "aws_kms_key" "this" {
  lifecycle {
    ignore_changes = all
  }
}

module "registry_table" {
  source = "./registry_table"
}

module "rest_api" {
  source = "./rest_api"
}
""",
    "registry_table/main.tf": """
resource "aws_dynamodb_table" "this" {
  name         = "stand-in"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  lifecycle {
    ignore_changes = all
  }
}
""",
    "rest_api/main.tf": "terraform {}\n",
}


def blocks(kind: str) -> list[str]:
    text = MIGRATION.read_text(encoding="utf-8")
    return re.findall(rf"^{kind} \{{\n.*?^\}}\n", text, flags=re.M | re.S)


def resource(
    module: str | None, kind: str, name: str, key: str | None, attributes: dict[str, Any]
) -> dict[str, Any]:
    instance: dict[str, Any] = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}
    if key is not None:
        instance["index_key"] = key
    located = {} if module is None else {"module": module}  # None: the root module
    return {
        **located,
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
    registry = {
        "id": REGISTRY,
        "name": REGISTRY,
        "arn": ARN.format("registry"),
        "billing_mode": "PAY_PER_REQUEST",
    }
    resources.append(resource("module.registry_table", "aws_dynamodb_table", "this", None, registry))
    key = {"id": KEY_ARN.rsplit("/", 1)[1], "arn": KEY_ARN, "enable_key_rotation": True}
    resources.append(resource(None, "aws_kms_key", "this", None, key))
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


def test_the_moved_blocks_name_every_object_of_the_cell_module() -> None:
    """A resource or module call of modules/cell without a moved block would be destroyed and created
    again in a deployment from before cells: its registry, its key, its API."""
    module = root()
    addresses = {f"{kind}.{name}" for kind, name in module.resources} | {
        f"module.{call}" for call in module.module_calls
    }
    moved = {
        (match[1], match[2])
        for match in re.finditer(r"from = (\S+)\n\s+to\s+= (\S+)", "".join(blocks("moved")))
    }
    assert moved == {(address, f"module.cell.{address}") for address in addresses}


def planned_migration(tmp_path: Path) -> dict[str, tuple[str | None, list[str]]]:
    """address -> (address before, actions) of the migration's plan against the old root's state."""
    (tmp_path / "main.tf").write_text(CONFIG + '\nmodule "cell" {\n  source = "./cell"\n}\n')
    (tmp_path / "migration.tf").write_text(MIGRATION.read_text(encoding="utf-8"))
    for name, text in STAND_IN.items():
        (tmp_path / "cell" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cell" / name).write_text(text)
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state_before_issue_23()))
    init = terraform(tmp_path, "init", "-backend=false", "-input=false")
    if init.returncode != 0:
        pytest.skip(f"the AWS provider cannot be installed here: {init.stderr.strip().splitlines()[-1:]}")
    plan = terraform(tmp_path, "plan", "-refresh=false", "-input=false", "-out=plan.bin")
    assert plan.returncode == 0, plan.stderr
    shown = json.loads(terraform(tmp_path, "show", "-json", "plan.bin").stdout)
    return {
        c["address"]: (c.get("previous_address"), c["change"]["actions"])
        for c in shown.get("resource_changes", [])
    }


@pytest.mark.slow  # a real terraform init and plan
@pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the Terraform CLI")
def test_the_plan_forgets_every_customer_resource_moves_the_rest_and_destroys_none(tmp_path: Path) -> None:
    assert len(blocks("removed")) == 4, "a removed block for tables, usage plans, keys and plan keys"
    changes = planned_migration(tmp_path)
    forgotten = {f'module.customer_table["{c}"].aws_dynamodb_table.this' for c in CUSTOMERS} | {
        f'module.cell.module.rest_api.{kind}.customer["{c}"]'
        for kind in (
            "aws_api_gateway_api_key",
            "aws_api_gateway_usage_plan",
            "aws_api_gateway_usage_plan_key",
        )
        for c in CUSTOMERS
    }
    kept = {
        "module.cell.module.registry_table.aws_dynamodb_table.this": "module.registry_table.aws_dynamodb_table.this",
        "module.cell.aws_kms_key.this": "aws_kms_key.this",
    }
    assert set(changes) == forgotten | set(kept)
    assert all(changes[address][1] == ["forget"] for address in forgotten), changes
    assert {address: changes[address] for address in kept} == {
        address: (before, ["no-op"]) for address, before in kept.items()
    }
