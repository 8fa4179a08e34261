"""The deploy guide (docs/deploying.md) is a test: its commands run as written, in order.

The guide's shell block is executed by bash from a directory laid out like the repository root.
Our own commands (`scripts/gen-tfvars.py --names`, `reservations build ... --upload`, `reservations
build tfvars --from s3://...`, `reservations tenants create ... --store dynamodb`) run for real
against moto's server (AWS_ENDPOINT_URL). `terraform`, `aws` and `docker` cannot run here against
an account; they are recorded, and each Terraform apply of the guide must be, in the same order and
with the same targets, a run of terraform/modules/cell/tests/deploy_steps.tftest.hcl, which `make
terraform-check` applies against the mocked provider.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import boto3
import pytest

from reservations.catalogue import FUNCTIONS

from .hcl import ROOT, root
from .test_store_layout import create_table_as_terraform

GUIDE = ROOT / "docs" / "deploying.md"
DEPLOY_STEPS = ROOT / "terraform" / "modules" / "cell" / "tests" / "deploy_steps.tftest.hcl"
CELL = "module.cell."  # the guide applies the cell root; deploy_steps tests the module it calls
PREFIX = "prod_"  # the guide's RESERVATIONS_TABLE_PREFIX

STUBS = r"""
record() { printf '%s\n' "$*" >> "$CALLS"; }
terraform() {
  record terraform "$@"
  case "$*" in
    *"output -raw artifacts_bucket"*) echo "$TEST_BUCKET" ;;
    *"output -raw registry_table"*) echo "$TEST_REGISTRY" ;;
    *"output -raw region"*) echo "us-east-1" ;;
    *"output -raw table_kms_key_arn"*) echo "$TEST_KMS_KEY" ;;
    *"output -raw backup_tag"*) echo "reservations" ;;
    *"output -json usage_plan_ids"*) echo "{\"standard\": \"$TEST_USAGE_PLAN\"}" ;;
    *"output -raw usage_key_prefix"*) echo "reservations-usage-identifier-" ;;
    *"output -raw ecr_repository_url"*) echo "123456789012.dkr.ecr.us-east-1.amazonaws.com/reservations-edge" ;;
  esac
}
aws() { record aws "$@"; }
docker() { record docker "$@"; }
cp() { record cp "$@"; test -f "$1"; }   # the guide copies examples that must exist
"""


def guide_block() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    after = text.split("<!-- deploy-guide", 1)[1]
    match = re.search(r"```sh(?: aws)?\n(.*?)```", after, flags=re.S)
    assert match, "docs/deploying.md has no ```sh block after <!-- deploy-guide"
    return match.group(1)


def applied_targets_in_tests() -> list[list[str]]:
    """Target lists of the deploy_steps runs that apply, in file order ([] = everything)."""
    runs = re.findall(r'run "([^"]+)" \{(.*?)\n\}', DEPLOY_STEPS.read_text(encoding="utf-8"), flags=re.S)
    targets: list[list[str]] = []
    for _, body in runs:
        if not re.search(r"command\s*=\s*apply", body):
            continue
        found = re.search(r"target\s*=\s*\[([^\]]*)\]", body)
        targets.append(sorted(t.strip() for t in found.group(1).split(",") if t.strip()) if found else [])
    return targets


def applied_targets_in_guide(calls: list[str], chdir: str) -> list[list[str]]:
    targets: list[list[str]] = []
    for call in calls:
        words = call.split()
        if words[:2] == ["terraform", f"-chdir={chdir}"] and "apply" in words:
            targets.append(
                sorted(w.removeprefix(f"-target={CELL}") for w in words if w.startswith("-target="))
            )
    return targets


@pytest.fixture
def repository_root(tmp_path: Path) -> Path:
    """A directory laid out like the checkout, so the guide's writes land here, not in the repo."""
    site = tmp_path / "checkout"
    site.mkdir()
    for name in ("pyproject.toml", "src", "scripts", "web", "deploy", "constraints.txt", ".venv"):
        (site / name).symlink_to(ROOT / name)
    (ROOT / "build-cache").mkdir(exist_ok=True)  # shared with `reservations build` runs of the checkout
    (site / "build-cache").symlink_to(ROOT / "build-cache")
    terraform = site / "terraform"
    (terraform / "cell").mkdir(parents=True)
    for name in ("functions.auto.tfvars.json", "terraform.tfvars.example", "cells"):
        (terraform / "cell" / name).symlink_to(ROOT / "terraform" / "cell" / name)
    (terraform / "edge").mkdir()
    for example in (ROOT / "terraform" / "edge").glob("*.example"):
        (terraform / "edge" / example.name).symlink_to(example)
    return site


def test_every_terraform_apply_of_the_guide_is_a_terraform_test_run() -> None:
    commands = [line.strip() for line in guide_block().splitlines() if line.strip().startswith("terraform ")]
    applies = [c.split() for c in commands if " apply" in c and "-chdir=terraform/cell " in c + " "]
    guide = [
        sorted(w.removeprefix(f"-target={CELL}") for w in a if w.startswith("-target=")) for a in applies
    ]
    assert all("-var-file=cells/c1.tfvars" in a for a in applies), "each apply names its cell"
    assert guide == applied_targets_in_tests()
    assert guide[0], "the first apply must be the targeted one that creates the build pipeline"


@pytest.mark.slow
def test_the_guide_runs_as_written_against_aws_apis(moto_endpoint: str, repository_root: Path) -> None:
    bucket, registry = "reservations-artifacts-123456789012", f"{PREFIX}reservations-customers"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)  # what step 1's apply creates
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    create_table_as_terraform(dynamodb, f"{PREFIX}star-reservations", "expires_at")  # before the hand-over
    create_table_as_terraform(dynamodb, registry, root().module_calls["registry_table"]["ttl_attribute"])

    kms = boto3.client("kms", endpoint_url=moto_endpoint, region_name="us-east-1")
    apigateway = boto3.client("apigateway", endpoint_url=moto_endpoint, region_name="us-east-1")
    plan = apigateway.create_usage_plan(name="reservations-standard")["id"]  # what step 3 creates
    calls = repository_root / "calls.txt"
    env = {
        **os.environ,
        "TEST_USAGE_PLAN": plan,
        "TEST_KMS_KEY": kms.create_key()["KeyMetadata"]["Arn"],  # what the first apply creates
        "AWS_ENDPOINT_URL": moto_endpoint,
        "CALLS": str(calls),
        "TEST_BUCKET": bucket,
        "TEST_REGISTRY": registry,
    }
    script = "set -euo pipefail\n" + STUBS + guide_block()
    result = subprocess.run(
        ["bash", "-c", script], cwd=repository_root, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # Step 2: every catalogue function built, uploaded and recorded for Terraform.
    names = {f.name for f in FUNCTIONS}
    builds = json.loads(
        (repository_root / "terraform" / "cell" / "lambda_builds.auto.tfvars.json").read_text()
    )
    assert set(builds["lambda_builds"]) == names
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="functions/").get("Contents", [])}
    for name, build in builds["lambda_builds"].items():
        assert build["s3_key"] in stored, name

    # Step 6: the customer's table completed (Terraform's, from before the hand-over), the customer
    # registered and its key printed once.
    created = json.loads(result.stdout.strip().splitlines()[-1])
    assert created["customer"] == "star"
    assert created["api_key"]
    assert dynamodb.scan(TableName=registry)["Count"] >= 1
    in_plan = apigateway.get_usage_plan_keys(usagePlanId=plan)["items"]
    assert [k["value"] for k in in_plan] == ["reservations-usage-identifier-star"]

    # The Terraform steps, in the guide's order: cell root init, targeted apply, full apply, then the edge root.
    recorded = calls.read_text().splitlines()
    terraform_calls = [c for c in recorded if c.startswith("terraform ") and " output " not in c]
    assert [c.split()[1:3] for c in terraform_calls] == [
        ["-chdir=terraform/cell", "init"],
        ["-chdir=terraform/cell", "apply"],
        ["-chdir=terraform/cell", "apply"],
        ["-chdir=terraform/edge", "init"],
        ["-chdir=terraform/edge", "apply"],
    ]
    assert applied_targets_in_guide(recorded, "terraform/cell") == applied_targets_in_tests()
    # The AWS CLI is pointed at the deployment's region, not at whatever the operator's profile says.
    aws_calls = [c for c in recorded if c.startswith("aws ")]
    assert aws_calls
    assert all("--region us-east-1" in c for c in aws_calls), aws_calls
    # The image is built from the repository root with the Dockerfile the edge tests check.
    assert any(c.startswith("docker build -f deploy/k8s/Dockerfile") and c.endswith(" .") for c in recorded)
