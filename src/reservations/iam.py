"""Every function's IAM policies, rendered from the catalogue's grants into the one file Terraform reads.

``terraform/modules/iam/policies.json.tftpl`` and ``tenant-trust.json.tftpl`` (written by ``make
tfvars``) are Terraform templates: the iam module fills their ``${...}`` with the account, region and
resource names, and attaches each document as it is.  The policy tests fill the same template the same way and evaluate the result,
so what is proved is what is deployed.  Each function gets:

* ``role``: its execution role's policy (its own log group, X-Ray, its catalogue grants and, for an
  API function, permission to assume its tenant-access role);
* ``tenant`` and ``tenant_trust``: for an API function, the tenant-access role it assumes per request
  with the session tag ``customer=<name>``, whose policy names only ``${aws:PrincipalTag/customer}``'s
  table, and whose trust lets only that function's role assume it, and only with that one tag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from reservations.catalogue import FUNCTIONS, Condition, Function, Grant
from reservations.domain.tenancy import TENANT_TAG

VERSION = "2012-10-17"

# The templates' variables: the iam module passes exactly these to templatefile().
TRUST_VARIABLES = ("partition", "account", "name")
TEMPLATE_VARIABLES = (
    "partition",
    "region",
    "account",
    "name",
    "table_prefix",
    "registry_table",
    "kms_key_arn",
    "cluster_name",
    "tfc_token_secret_arn",
    "notify_topic_arn",
    "followup_schedule_arn_down",
    "followup_schedule_arn_up",
    "scheduler_invoke_role_arn",
    "channel_sync_queue_arn",
)


def role_name(function: Function) -> str:
    """The execution role's name (a template): ``<name>-<function>``."""
    return f"${{name}}-{function.name}"


def tenant_role_name(function: Function) -> str:
    return f"${{name}}-{function.name}-tenant"


def _role_arn(name: str) -> str:
    return f"arn:${{partition}}:iam::${{account}}:role/{name}"


def base_grants(function: Function) -> tuple[Grant, ...]:
    """What every execution role holds besides its catalogue grants."""
    grants = [
        Grant(
            "OwnLogGroup",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            (
                f"arn:${{partition}}:logs:${{region}}:${{account}}:log-group:/aws/lambda/{role_name(function)}:*",
            ),
            called=False,  # the Lambda runtime writes the logs
        ),
        # X-Ray's trace APIs have no resource-level permissions; they write telemetry, not data.
        Grant("XRay", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",), called=False),
    ]
    if function.tenant_grants:
        grants.append(
            Grant(
                "ActForOneCustomer",
                ("sts:AssumeRole", "sts:TagSession"),
                (_role_arn(tenant_role_name(function)),),
            )
        )
    return tuple(grants)


def role_grants(function: Function) -> tuple[Grant, ...]:
    return base_grants(function) + function.grants


def _conditions(conditions: Iterable[Condition]) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        values = list(condition.values)
        block.setdefault(condition.operator, {})[condition.key] = values[0] if len(values) == 1 else values
    return block


def statement(grant: Grant) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "Sid": grant.sid,
        "Effect": "Allow",
        "Action": sorted(grant.actions),
        "Resource": list(grant.resources),
    }
    if grant.conditions:
        rendered["Condition"] = _conditions(grant.conditions)
    return rendered


def document(grants: Iterable[Grant]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [statement(g) for g in grants]}


def tenant_trust(function: Function) -> dict[str, Any]:
    """Only the function's own role may assume its tenant role, and only tagged with one customer,
    whose name holds no ``*`` or ``?`` (a tag value becomes part of the policy's table ARN), no ``_``
    (which ends every table prefix: no tag reaches a deployment whose prefix nests in this one's) and
    no ``.`` (which starts a restored copy's suffix: no tag reaches another customer's copy)."""
    tag = f"aws:RequestTag/{TENANT_TAG}"
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "OnlyTheFunctionForOneCustomer",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:${partition}:iam::${account}:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": _role_arn(role_name(function))},
                    "StringLike": {tag: "?*"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": [TENANT_TAG]},
                },
            },
            {
                "Sid": "NoWildcardOrSeparatorInTheCustomer",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringLike": {tag: ["*$${*}*", "*$${?}*", "*_*", "*.*"]}},
            },
        ],
    }


def policies() -> dict[str, Any]:
    """Per catalogue function: its role's policy and, for API functions, its tenant role's."""
    return {
        "functions": {
            f.name: {
                "role": document(role_grants(f)),
                "tenant": document(f.tenant_grants) if f.tenant_grants else None,
            }
            for f in FUNCTIONS
        }
    }


def trusts() -> dict[str, Any]:
    """The tenant roles' trust policies, in a template of their own: they name only the account and
    the roles, so Terraform can create the roles before the resources the policies name exist."""
    return {"tenant_trust": {f.name: tenant_trust(f) for f in FUNCTIONS if f.tenant_grants}}


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def template_json() -> str:
    """``terraform/modules/iam/policies.json.tftpl``."""
    return _dumps(policies())


def trust_template_json() -> str:
    """``terraform/modules/iam/tenant-trust.json.tftpl``."""
    return _dumps(trusts())


_INTERPOLATION = re.compile(r"\$\$\{|%%\{|\$\{([^}]*)\}|%\{")


def render(template: str, values: Mapping[str, str]) -> str:
    """Terraform's ``templatefile`` for the subset this template uses: ``${name}`` is replaced,
    ``$${`` is a literal ``${``; a directive (``%{``) or an unknown name is an error, as in Terraform.
    A test checks this against ``terraform console`` itself."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "$${":
            return "${"
        if found == "%%{":
            return "%{"
        if found == "%{":
            raise ValueError("template directives are not supported")
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template variable {name!r} has no value")
        return values[name]

    return _INTERPOLATION.sub(replace, template)
