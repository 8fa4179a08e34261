"""The resources the functions reach, as ARN templates, and the grant shapes several functions share.

Kept apart from the entries so that an entry reads as its routes and its grants, each named here once.
"""

from __future__ import annotations

from reservations.catalogue.model import Condition, Function, Grant, Route

# ARN templates: ``${...}`` is filled by Terraform's templatefile (the values are the iam module's
# inputs); ``$${...}`` is an IAM policy variable, left for AWS to substitute at request time.
ARN = "arn:${partition}:%s:${region}:${account}:%s"
CUSTOMER_TABLE = ARN % ("dynamodb", "table/${table_prefix}$${aws:PrincipalTag/customer}-reservations")
# Its restored copies (``reservations tenants restore``): ``.`` cannot occur in a customer name, so
# ``<customer>.r*`` is never another customer's table.
RESTORED_CUSTOMER_TABLES = ARN % (
    "dynamodb",
    "table/${table_prefix}$${aws:PrincipalTag/customer}.r*-reservations",
)
CUSTOMER_TABLES = (CUSTOMER_TABLE, RESTORED_CUSTOMER_TABLES)
REGISTRY_TABLE = ARN % ("dynamodb", "table/${registry_table}")
CHANNEL_SYNC_QUEUE = "${channel_sync_queue_arn}"
KMS_KEY = "${kms_key_arn}"
CLUSTER = ARN % ("eks", "cluster/${cluster_name}")
NODEGROUPS = ARN % ("eks", "nodegroup/${cluster_name}/*/*")
FARGATE_PROFILES = ARN % ("eks", "fargateprofile/${cluster_name}/*/*")
LOAD_BALANCERS = ARN % ("elasticloadbalancing", "loadbalancer/*")
TARGET_GROUPS = ARN % ("elasticloadbalancing", "targetgroup/*")
SECURITY_GROUPS = ARN % ("ec2", "security-group/*")
# Every customer's table and its restored copies, for the operation that makes and removes them
# (``tenants-admin``): the name a customer's table will have is only known at the call.
ONBOARDED_TABLES = ARN % ("dynamodb", "table/${table_prefix}*-reservations")
# API Gateway's management calls are authorised as the HTTP verb on the resource's path.
APIGATEWAY = "arn:${partition}:apigateway:${region}::%s"
USAGE_KEYS = tuple(
    APIGATEWAY % p for p in ("/apikeys", "/apikeys/*", "/usageplans/*/keys", "/usageplans/*/keys/*")
)
USAGE_PLANS_PARAMETER = ARN % ("ssm", "parameter/${name}/tenants/usage-plans")


def via(service: str, *actions: str) -> Grant:
    """The table or topic key, usable only through ``service`` (DynamoDB or SNS calling KMS for us)."""
    return Grant(
        sid=f"KeyThrough{service.capitalize()}",
        actions=tuple(f"kms:{a}" for a in actions),
        resources=(KMS_KEY,),
        conditions=(Condition("StringEquals", "kms:ViaService", (f"{service}.${{region}}.amazonaws.com",)),),
        called=False,
    )


SCHEDULER_COMMON = (
    Grant("PublishOutcomes", ("sns:Publish",), ("${notify_topic_arn}",)),
    via("sns", "Decrypt", "GenerateDataKey"),
    Grant(
        "PassTheSchedulerRole",
        ("iam:PassRole",),
        ("${scheduler_invoke_role_arn}",),
        (Condition("StringEquals", "iam:PassedToService", ("scheduler.amazonaws.com",)),),
        called=False,
    ),
)


def followup(direction: str) -> Grant:
    return Grant(
        "OwnFollowUpSchedule",
        ("scheduler:GetSchedule", "scheduler:UpdateSchedule"),
        (f"${{followup_schedule_arn_{direction}}}",),
    )


# The API functions' and the authorizer's memory, chosen by bench/cost.py: the lowest cost x latency.
# DynamoDB and API Gateway are most of a request's bill, so a whole vCPU (Lambda gives one at 1,769
# MB) costs about 1 % more per million requests than 256 MB, for a third of the latency and cold start.
API_MEMORY_MB = 1769


def with_the_key(grant: Grant, *, writes: bool) -> tuple[Grant, Grant]:
    """A grant on customers' tables with the use of their key that DynamoDB makes for it: decrypting
    to read, and encrypting too to write (every tenant role's shape, so it is written once)."""
    kms = ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey") if writes else ("Decrypt", "DescribeKey")
    return (grant, via("dynamodb", *kms))


def api_function(
    name: str,
    *,
    description: str,
    routes: tuple[Route, ...],
    tenant_grant: Grant,
    writes: bool,
    grants: tuple[Grant, ...] = (),
) -> Function:
    """An API function: its handler ``reservations.functions.<name>`` (dashes as underscores), a
    vCPU's memory, and one tenant grant on the customer's table with the key's use it needs."""
    return Function(
        name=name,
        module=f"reservations.functions.{name.replace('-', '_')}",
        kind="api",
        description=description,
        routes=routes,
        memory_mb=API_MEMORY_MB,
        grants=grants,
        tenant_grants=with_the_key(tenant_grant, writes=writes),
    )
