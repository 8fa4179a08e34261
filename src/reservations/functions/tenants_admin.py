"""Lambda entry point ``reservations.functions.tenants_admin.handler``: onboarding without a laptop.

The operator invokes it (``aws lambda invoke``, docs/deploying.md) with one operation of
``reservations tenants`` as its payload::

    {"operation": "create", "customer": "star", "tier": "premium", "hosts": ["book.star-hotel.com"]}
    {"operation": "add-hosts", "customer": "star", "hosts": ["rooms.star-hotel.com"]}
    {"operation": "set-tier", "customer": "star", "tier": "standard"}
    {"operation": "rotate-key", "customer": "star"}
    {"operation": "delete", "customer": "star", "yes": true}

and it runs the very operation the CLI runs in AWS (``Tenants`` over ``tenants_onboarding``): the
same steps, so a create or delete cut short (a timeout, a throttled call) is finished by invoking
it again with the same payload.  The answer is JSON: the outcome, or ``{"error": {"code",
"message", "field"}}`` for anything refused or failed, never a stack trace.  A new key is in the
answer to the one invocation that issued it and nowhere else: the log line names the operation,
the customer and the outcome only.

The tiers' usage plans come from an SSM parameter Terraform writes, not from the environment: the
plans belong to the API's stage, which Terraform makes after the functions, so a function's
environment cannot name them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from reservations import wiring
from reservations.domain.errors import ReservationsError, ValidationError
from reservations.domain.tenancy import normalize_customer, validate_host
from reservations.functions.http import error_body
from reservations.functions.runtime import logger
from reservations.settings import Settings
from reservations.tenants.admin import DEFAULT_TIER, Tenants
from reservations.tenants.onboarding import open_onboarding

USAGE_PLANS_PARAMETER = "RESERVATIONS_USAGE_PLANS_PARAMETER"

# Each operation's fields besides "operation": required, then optional.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "create": (("customer",), ("tier", "hosts")),
    "add-hosts": (("customer", "hosts"), ()),
    "set-tier": (("customer", "tier"), ()),
    "rotate-key": (("customer",), ()),
    "delete": (("customer", "yes"), ()),
}


def parse(event: Any) -> tuple[str, dict[str, Any]]:
    """The operation and its fields, or a ``ValidationError`` naming the field that is wrong."""
    if not isinstance(event, Mapping):
        raise ValidationError('the payload must be a JSON object: {"operation": ..., "customer": ...}')
    operation = event.get("operation")
    if not isinstance(operation, str) or operation not in FIELDS:
        raise ValidationError(f"operation must be one of {', '.join(FIELDS)}", field="operation")
    required, optional = FIELDS[operation]
    for name in event:
        if name != "operation" and name not in required + optional:
            raise ValidationError(
                f"unknown field {name!r} (fields of {operation}: {', '.join(required + optional)})",
                field=name,
            )
    for name in required:
        if name not in event:
            raise ValidationError(f"{operation} needs {name!r}", field=name)
    for name in ("customer", "tier"):
        if name in event and not isinstance(event[name], str):
            raise ValidationError(f"{name} must be a string", field=name)
    hosts = event.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ValidationError("hosts must be a list of host names", field="hosts")
    if operation == "add-hosts" and not hosts:
        raise ValidationError("add-hosts needs at least one host name", field="hosts")
    for host in hosts:  # a bad host name refuses the operation before anything is made
        validate_host(host)
    if operation == "delete" and event["yes"] is not True:
        raise ValidationError(
            'delete removes every reservation of the customer: add "yes": true', field="yes"
        )
    return str(operation), {k: v for k, v in event.items() if k != "operation"}


def deployment_settings() -> Settings:
    """The environment's settings with the tiers' usage plans read from their parameter."""
    settings = wiring.settings()
    parameter = os.environ.get(USAGE_PLANS_PARAMETER)
    if not parameter or settings.usage_plans:
        return settings
    import boto3

    ssm = boto3.client("ssm", region_name=settings.region)
    try:
        value = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    finally:
        ssm.close()
    return replace(settings, usage_plans=str(value))


def run(operation: str, fields: dict[str, Any]) -> dict[str, Any]:
    settings = deployment_settings()
    registry = wiring.registry()
    onboarding = open_onboarding(settings, registry)
    if onboarding is None:
        raise ValidationError(
            "this function onboards customers in AWS: RESERVATIONS_STORE=dynamodb, no endpoint"
        )
    tenants = Tenants(registry, wiring.store(), settings, onboarding)
    customer = fields["customer"]
    if operation == "create":
        tier = fields.get("tier", DEFAULT_TIER)
        created = tenants.create(customer, tier)
        record = created.customer
        # After the create, as the CLI's --host: a create cut short before them is finished by
        # add-hosts, which a rerun may repeat (a host the customer has already is not an error).
        hosts = sorted(tenants.add_hosts(record.name, fields.get("hosts", [])))
        answer = {"customer": record.name, "table": record.table, "tier": tier, "hosts": hosts}
        return answer | {"api_key": created.api_key}
    if operation == "add-hosts":
        added = tenants.add_hosts(customer, fields["hosts"])
        return {
            "customer": normalize_customer(customer),
            "hosts": {h: "added" if new else "already mapped" for h, new in added.items()},
        }
    if operation == "set-tier":
        tenants.set_tier(customer, fields["tier"])
        return {"customer": normalize_customer(customer), "tier": fields["tier"]}
    if operation == "rotate-key":
        return {"customer": normalize_customer(customer), "api_key": tenants.rotate_key(customer)}
    removed = tenants.delete(customer)
    return {"customer": removed.customer.name, "deleted": True, "final_backups": list(removed.backups)}


def handler(event: Any, context: Any) -> dict[str, Any]:
    operation = customer = None
    try:
        operation, fields = parse(event)
        customer = fields["customer"]
        answer = run(operation, fields)
    except ReservationsError as exc:
        logger.info(
            "tenants admin refused",
            extra={"operation": operation, "customer": customer, "outcome": exc.code, "field": exc.field},
        )
        return error_body(exc.code, exc.message, exc.field)
    except Exception:
        logger.exception("tenants admin failed", extra={"operation": operation, "customer": customer})
        return error_body(
            "internal_error",
            "the operation stopped part way (see the function's log); invoke it again with the same "
            "payload to finish it",
        )
    logger.info("tenants admin done", extra={"operation": operation, "customer": customer, "outcome": "ok"})
    return answer
