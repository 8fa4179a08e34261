"""A customer's API Gateway usage key, in its tier's usage plan (issue #23, goal 3).

API Gateway throttles by usage plan and applies a plan's limits to each API key in it, so a plan
per tier (Terraform's, few and fixed) still limits every customer on its own: each customer has a
key whose value, ``<prefix><customer>``, is what the authorizer returns as ``usageIdentifierKey``
(an identifier, not a credential). Onboarding makes that key and puts it in its tier's plan;
removal takes it out of the plans and deletes it. Both are idempotent.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

_NOT_FOUND = "NotFoundException"


class UsageKeys:
    def __init__(self, client: Any, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def _find(self, customer: str) -> str | None:
        name = f"{self._prefix}{customer}"
        listed = self._client.get_api_keys(nameQuery=name, includeValues=False, limit=500)
        for key in listed.get("items", []):
            if key.get("name") == name:
                return str(key["id"])
        return None

    def ensure(self, customer: str, plan_id: str) -> None:
        """The customer's key exists and is in ``plan_id``."""
        key_id = self._find(customer)
        if key_id is None:
            made = self._client.create_api_key(
                name=f"{self._prefix}{customer}",
                value=f"{self._prefix}{customer}",
                description=f"Usage identifier of customer {customer} (not a credential)",
                enabled=True,
            )
            key_id = str(made["id"])
        if self._in_plan(plan_id, key_id):
            return  # a rerun
        self._client.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")

    def move(self, customer: str, plan_id: str, plan_ids: list[str]) -> None:
        """Into ``plan_id`` (made if missing), out of every other of ``plan_ids``: a key is in one
        plan of a stage at a time, so it leaves the old one first."""
        key_id = self._find(customer)
        for other in plan_ids:
            if key_id is not None and other != plan_id and self._in_plan(other, key_id):
                self._client.delete_usage_plan_key(usagePlanId=other, keyId=key_id)
        self.ensure(customer, plan_id)

    def remove(self, customer: str, plan_ids: list[str]) -> None:
        """Out of every tier's plan first (whichever it is in), then the key itself."""
        key_id = self._find(customer)
        if key_id is None:
            return
        for plan_id in plan_ids:
            if self._in_plan(plan_id, key_id):
                self._client.delete_usage_plan_key(usagePlanId=plan_id, keyId=key_id)
        self._client.delete_api_key(apiKey=key_id)

    def _in_plan(self, plan_id: str, key_id: str) -> bool:
        try:
            self._client.get_usage_plan_key(usagePlanId=plan_id, keyId=key_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != _NOT_FOUND:
                raise
            return False
        return True
