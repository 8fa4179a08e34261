"""The policies Terraform deploys, filled in for one example account: the committed template
(``terraform/modules/iam/policies.json.tftpl``) rendered with the values the iam module passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reservations.iam import TEMPLATE_VARIABLES, TRUST_VARIABLES, render

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "terraform" / "modules" / "iam" / "policies.json.tftpl"
TRUST_TEMPLATE = ROOT / "terraform" / "modules" / "iam" / "tenant-trust.json.tftpl"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
NAME = "hotels"
PREFIX = "prod_"

VALUES: dict[str, str] = {
    "partition": "aws",
    "region": REGION,
    "account": ACCOUNT,
    "name": NAME,
    "table_prefix": PREFIX,
    "registry_table": f"{PREFIX}reservations-customers",
    "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    "cluster_name": "hotels-edge",
    "tfc_token_secret_arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:tfc-token-AbCdEf",
    "notify_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:hotels-cluster-schedule",
    "followup_schedule_arn_down": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/hotels/down-follow-up",
    "channel_sync_queue_arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:hotels-channel-sync",
    "followup_schedule_arn_up": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/hotels/up-follow-up",
    "scheduler_invoke_role_arn": f"arn:aws:iam::{ACCOUNT}:role/hotels-scheduler-invoke",
}
assert set(VALUES) == set(TEMPLATE_VARIABLES)


TRUST_VALUES = {k: VALUES[k] for k in TRUST_VARIABLES}


def rendered_policies() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(render(TEMPLATE.read_text(encoding="utf-8"), VALUES))
    return found


def rendered_trusts() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(render(TRUST_TEMPLATE.read_text(encoding="utf-8"), TRUST_VALUES))
    return found


def deployed() -> dict[str, Any]:
    """``{name: {"role", "tenant", "tenant_trust"}}`` as AWS would hold them."""
    trusts = rendered_trusts()["tenant_trust"]
    return {
        name: {**documents, "tenant_trust": trusts.get(name)}
        for name, documents in rendered_policies()["functions"].items()
    }


def table_arn(table: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"


def customer_table(customer: str) -> str:
    return table_arn(f"{PREFIX}{customer}-reservations")


def role_arn(role: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{role}"
