"""The function catalogue: every Lambda function, its handler, its HTTP routes and its AWS calls, defined once.

The local gateway's route table, the builder's list of valid ``FUNCTION_NAME`` values, the
Terraform variables (``terraform/cell/functions.auto.tfvars.json``) and every function's IAM policies
(``terraform/modules/iam/policies.json.tftpl``, rendered by ``reservations.iam``) are all derived
from this module, so a new function cannot be half-wired, nor hold a permission its code does not
use: a test records every AWS call the functions make and fails on one not declared here.  Kept
import-light: the gateway and the builder read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

FunctionKind = Literal["api", "authorizer", "scheduler", "sync", "admin"]

# ARN templates: ``${...}`` is filled by Terraform's templatefile (the values are the iam module's
# inputs); ``$${...}`` is an IAM policy variable, left for AWS to substitute at request time.
_ARN = "arn:${partition}:%s:${region}:${account}:%s"
CUSTOMER_TABLE = _ARN % ("dynamodb", "table/${table_prefix}$${aws:PrincipalTag/customer}-reservations")
# Its restored copies (``reservations tenants restore``): ``.`` cannot occur in a customer name, so
# ``<customer>.r*`` is never another customer's table.
RESTORED_CUSTOMER_TABLES = _ARN % (
    "dynamodb",
    "table/${table_prefix}$${aws:PrincipalTag/customer}.r*-reservations",
)
CUSTOMER_TABLES = (CUSTOMER_TABLE, RESTORED_CUSTOMER_TABLES)
REGISTRY_TABLE = _ARN % ("dynamodb", "table/${registry_table}")
CHANNEL_SYNC_QUEUE = "${channel_sync_queue_arn}"
KMS_KEY = "${kms_key_arn}"
CLUSTER = _ARN % ("eks", "cluster/${cluster_name}")
NODEGROUPS = _ARN % ("eks", "nodegroup/${cluster_name}/*/*")
FARGATE_PROFILES = _ARN % ("eks", "fargateprofile/${cluster_name}/*/*")
LOAD_BALANCERS = _ARN % ("elasticloadbalancing", "loadbalancer/*")
TARGET_GROUPS = _ARN % ("elasticloadbalancing", "targetgroup/*")
SECURITY_GROUPS = _ARN % ("ec2", "security-group/*")
# Every customer's table and its restored copies, for the operation that makes and removes them
# (``tenants-admin``): the name a customer's table will have is only known at the call.
ONBOARDED_TABLES = _ARN % ("dynamodb", "table/${table_prefix}*-reservations")
# API Gateway's management calls are authorised as the HTTP verb on the resource's path.
_APIGATEWAY = "arn:${partition}:apigateway:${region}::%s"
USAGE_KEYS = tuple(
    _APIGATEWAY % p for p in ("/apikeys", "/apikeys/*", "/usageplans/*/keys", "/usageplans/*/keys/*")
)
USAGE_PLANS_PARAMETER = _ARN % ("ssm", "parameter/${name}/tenants/usage-plans")


@dataclass(frozen=True)
class Condition:
    operator: str  # e.g. "StringEquals"
    key: str  # e.g. "kms:ViaService"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    """One statement of a role's policy: IAM actions on ARN templates, under optional conditions.

    ``called`` grants are the AWS API calls the function's code makes (the IAM action of a call is
    the service's signing name and the operation, e.g. ``dynamodb:GetItem``; a DynamoDB transaction
    is authorised per item, as ``PutItem``/``DeleteItem``/...).  Others are what AWS needs on the
    code's behalf and the code never calls itself: KMS through DynamoDB, ``iam:PassRole``.
    """

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    called: bool = True


def _via(service: str, *actions: str) -> Grant:
    """The table or topic key, usable only through ``service`` (DynamoDB or SNS calling KMS for us)."""
    return Grant(
        sid=f"KeyThrough{service.capitalize()}",
        actions=tuple(f"kms:{a}" for a in actions),
        resources=(KMS_KEY,),
        conditions=(Condition("StringEquals", "kms:ViaService", (f"{service}.${{region}}.amazonaws.com",)),),
        called=False,
    )


_SCHEDULER_COMMON = (
    Grant("PublishOutcomes", ("sns:Publish",), ("${notify_topic_arn}",)),
    _via("sns", "Decrypt", "GenerateDataKey"),
    Grant(
        "PassTheSchedulerRole",
        ("iam:PassRole",),
        ("${scheduler_invoke_role_arn}",),
        (Condition("StringEquals", "iam:PassedToService", ("scheduler.amazonaws.com",)),),
        called=False,
    ),
)


def _followup(direction: str) -> Grant:
    return Grant(
        "OwnFollowUpSchedule",
        ("scheduler:GetSchedule", "scheduler:UpdateSchedule"),
        (f"${{followup_schedule_arn_{direction}}}",),
    )


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. "/reservations/{id}"
    compat: bool = False  # a route of the original app's clients
    # No API key and no authorizer: the function proves the caller's right itself (a channel's
    # calendar feed, whose URL carries an unguessable token, since channels cannot send a key).
    public: bool = False


@dataclass(frozen=True)
class Function:
    name: str
    module: str
    kind: FunctionKind
    description: str
    routes: tuple[Route, ...] = field(default_factory=tuple)
    memory_mb: int = 256
    timeout_s: int = 10
    grants: tuple[Grant, ...] = ()  # the function's own role
    # A role assumed per request with the session tag customer=<proved customer>: what the function
    # does to that one customer's table.  Non-empty means the function's own role reaches no table.
    tenant_grants: tuple[Grant, ...] = ()

    @property
    def handler(self) -> str:
        """The Lambda handler string, as Terraform and the runtime expect it."""
        return f"{self.module}.handler"


# The API functions' and the authorizer's memory, chosen by bench/cost.py: the lowest cost x latency.
# DynamoDB and API Gateway are most of a request's bill, so a whole vCPU (Lambda gives one at 1,769
# MB) costs about 1 % more per million requests than 256 MB, for a third of the latency and cold start.
API_MEMORY_MB = 1769


def _with_the_key(grant: Grant, *, writes: bool) -> tuple[Grant, Grant]:
    """A grant on customers' tables with the use of their key that DynamoDB makes for it: decrypting
    to read, and encrypting too to write (every tenant role's shape, so it is written once)."""
    kms = ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey") if writes else ("Decrypt", "DescribeKey")
    return (grant, _via("dynamodb", *kms))


def _api_function(
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
        tenant_grants=_with_the_key(tenant_grant, writes=writes),
    )


FUNCTIONS: tuple[Function, ...] = (
    _api_function(
        name="list",
        description="Lists a customer's reservations, one page at a time, or reads one by id.",
        routes=(
            Route("GET", "/reservations"),
            Route("GET", "/reservations/{id}"),
            Route("GET", "/get-res", compat=True),
        ),
        tenant_grant=Grant("ReadTheCustomersTable", ("dynamodb:GetItem", "dynamodb:Query"), CUSTOMER_TABLES),
        writes=False,
    ),
    _api_function(
        name="add",
        description="Adds a reservation; refuses a double booking atomically.",
        routes=(
            Route("POST", "/reservations"),
            Route("POST", "/add-res", compat=True),
        ),
        tenant_grant=Grant(
            "WriteTheCustomersTable",
            # BatchGetItem and ConditionCheckItem: the rooms rule's guard (a read of the room
            # and the count, and the check that the customer has none).
            (
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    _api_function(
        name="delete",
        description="Deletes a reservation and frees its nights.",
        routes=(
            Route("DELETE", "/reservations/{id}"),
            Route("POST", "/delete-res", compat=True),
        ),
        tenant_grant=Grant(
            "DeleteFromTheCustomersTable",
            # BatchGetItem: after a refused delete of an unchanged stay, which of its nights are
            # not its own (damage, left alone: stores.dynamodb_stale).
            ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:DeleteItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    _api_function(
        name="change",
        description="Changes a reservation in place (same id), claiming and releasing nights atomically.",
        routes=(Route("PATCH", "/reservations/{id}"),),
        tenant_grant=Grant(
            "ChangeInTheCustomersTable",
            (
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    Function(
        name="list-rooms",
        module="reservations.functions.list_rooms",
        kind="api",
        description="Lists a customer's rooms in number order, one page at a time.",
        routes=(Route("GET", "/rooms"),),
        memory_mb=API_MEMORY_MB,
        tenant_grants=(
            # BatchGetItem: the rooms' calendars, for each room's feed URL.
            Grant("ReadTheCustomersRooms", ("dynamodb:Query", "dynamodb:BatchGetItem"), CUSTOMER_TABLES),
            _via("dynamodb", "Decrypt", "DescribeKey"),
        ),
    ),
    _api_function(
        name="put-room",
        description="Defines a room (or replaces its name and notes); a customer with rooms books only those.",
        routes=(Route("PUT", "/rooms/{room_number}"),),
        tenant_grant=Grant(
            "DefineTheCustomersRooms",
            # UpdateItem also sets the room's calendar (its first feed token, its imports), in the
            # room's own transaction.
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    _api_function(
        name="delete-room",
        description="Removes a room unless a reservation holds it from today on.",
        routes=(Route("DELETE", "/rooms/{room_number}"),),
        tenant_grant=Grant(
            "RemoveTheCustomersRooms",
            # Query: the list of reservations, for one that holds the room from today on, and the
            # room's channel blocks; BatchGetItem: the nights each block still holds, to free them.
            (
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    _api_function(
        name="availability",
        description="Lists the customer's rooms free on every night of a stay.",
        routes=(Route("GET", "/availability"),),
        tenant_grant=Grant(
            "ReadTheCustomersRoomNights", ("dynamodb:Query", "dynamodb:BatchGetItem"), CUSTOMER_TABLES
        ),
        writes=False,
    ),
    _api_function(
        name="room-calendar",
        description="Gives a room's calendar feed a new URL; shows the feeds it imports and their last sync.",
        routes=(
            Route("POST", "/rooms/{room_number}/calendar-token"),
            Route("GET", "/rooms/{room_number}/sync"),
        ),
        tenant_grant=Grant(
            "TheCustomersRoomCalendars",
            # Query: the room (is it defined?) and its blocks; BatchGetItem: its calendar.
            ("dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    _api_function(
        name="calendar-feed",
        description="A room's taken nights as an iCalendar feed, for the channels; no API key, a token.",
        routes=(Route("GET", "/calendars/{token}", public=True),),
        grants=(
            Grant("FindTheCustomer", ("dynamodb:GetItem",), (REGISTRY_TABLE,)),
            _via("dynamodb", "Decrypt", "DescribeKey"),
        ),
        tenant_grant=Grant("ReadTheRoomsNights", ("dynamodb:BatchGetItem",), CUSTOMER_TABLES),
        writes=False,
    ),
    Function(
        name="channel-sync",
        module="reservations.functions.channel_sync",
        kind="sync",
        description="Every 15 minutes: fetches each room's imported channel calendars into blocks, customers fanned out by a queue.",
        memory_mb=512,
        timeout_s=300,
        grants=(
            # Scan: the active customers (the registry is small); GetItem: each one's table.
            Grant("FindTheCustomers", ("dynamodb:Scan", "dynamodb:GetItem"), (REGISTRY_TABLE,)),
            _via("dynamodb", "Decrypt", "DescribeKey"),
            # SendMessageBatch is authorised as sqs:SendMessage.
            Grant("HandOutTheCustomers", ("sqs:SendMessage",), (CHANNEL_SYNC_QUEUE,)),
            # The event source mapping reads the queue for the function; the code never calls these.
            Grant(
                "TakeTheCustomersFromTheQueue",
                ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
                (CHANNEL_SYNC_QUEUE,),
                called=False,
            ),
            _via("sqs", "Decrypt", "GenerateDataKey"),
        ),
        tenant_grants=_with_the_key(
            Grant(
                "SyncTheCustomersBlocks",
                # Query: rooms, blocks, calendars; BatchGetItem/GetItem: nights, the rooms guard and a
                # conflict's holder; Put/Delete/Update/ConditionCheck: a block's transaction, its
                # release, the id counter and the calendar's status.
                (
                    "dynamodb:Query",
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:ConditionCheckItem",
                ),
                CUSTOMER_TABLES,
            ),
            writes=True,
        ),
    ),
    Function(
        name="authorizer",
        module="reservations.functions.authorizer",
        kind="authorizer",
        description="API Gateway REQUEST authorizer: proves the customer's API key.",
        memory_mb=API_MEMORY_MB,
        grants=(
            Grant("ReadTheRegistry", ("dynamodb:BatchGetItem",), (REGISTRY_TABLE,)),
            _via("dynamodb", "Decrypt", "DescribeKey"),
        ),
    ),
    Function(
        name="cluster-down",
        module="reservations.functions.cluster_down",
        kind="scheduler",
        description="Tears the EKS cluster down one resumable step at a time.",
        timeout_s=120,
        grants=(
            Grant(
                "ReadTheCluster",
                ("eks:DescribeCluster", "eks:ListNodegroups", "eks:ListFargateProfiles"),
                (CLUSTER,),
            ),
            Grant(
                "DeleteTheClustersComputeThenTheCluster",
                (
                    "eks:DescribeNodegroup",
                    "eks:DeleteNodegroup",
                    "eks:DescribeFargateProfile",
                    "eks:DeleteFargateProfile",
                    "eks:DeleteCluster",
                ),
                (CLUSTER, NODEGROUPS, FARGATE_PROFILES),
            ),
            # Describe calls of ELB and EC2 have no resource-level permissions; they reveal no data.
            Grant(
                "FindWhatKubernetesLeftBehind",
                (
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTags",
                    "ec2:DescribeSecurityGroups",
                ),
                ("*",),
            ),
            *(
                Grant(
                    f"ReleaseLoadBalancersOwnedByTheCluster{suffix}",
                    (
                        "elasticloadbalancing:DeleteLoadBalancer",
                        "elasticloadbalancing:DeleteTargetGroup",
                        "ec2:DeleteSecurityGroup",
                    ),
                    (LOAD_BALANCERS, TARGET_GROUPS, SECURITY_GROUPS),
                    (Condition("StringEquals", tag, (value,)),),
                )
                for suffix, tag, value in (
                    ("", "aws:ResourceTag/kubernetes.io/cluster/${cluster_name}", "owned"),
                    ("Controller", "aws:ResourceTag/elbv2.k8s.aws/cluster", "${cluster_name}"),
                )
            ),
            _followup("down"),
            *_SCHEDULER_COMMON,
        ),
    ),
    Function(
        name="cluster-up",
        module="reservations.functions.cluster_up",
        kind="scheduler",
        description="Rebuilds the EKS cluster through a Terraform Cloud run.",
        timeout_s=120,
        grants=(
            Grant("ReadTheCluster", ("eks:DescribeCluster",), (CLUSTER,)),
            Grant("TheTerraformCloudToken", ("secretsmanager:GetSecretValue",), ("${tfc_token_secret_arn}",)),
            _followup("up"),
            *_SCHEDULER_COMMON,
        ),
    ),
    # The operator's way to onboard without a laptop (``aws lambda invoke``): the tenants.onboarding
    # operation, whose calls these are (recorded by tests/security/test_tenants_admin_role.py).
    Function(
        name="tenants-admin",
        module="reservations.functions.tenants_admin",
        kind="admin",
        description="Onboards, re-tiers, re-keys and removes customers: the operator invokes it with one operation.",
        timeout_s=300,  # a new table's CREATING and a dropped one's DELETING are waited for
        grants=(
            Grant(
                "MakeAndRemoveCustomerTables",
                (
                    "dynamodb:CreateTable",
                    "dynamodb:DescribeTable",
                    "dynamodb:TagResource",
                    "dynamodb:DescribeTimeToLive",
                    "dynamodb:UpdateTimeToLive",
                    "dynamodb:UpdateContinuousBackups",
                    "dynamodb:CreateBackup",
                    "dynamodb:UpdateTable",
                    "dynamodb:DeleteTable",
                ),
                (ONBOARDED_TABLES,),
            ),
            # ListBackups has no resource-level permission; it names backups and reads no data.
            Grant("FindTheFinalBackup", ("dynamodb:ListBackups",), ("*",)),
            Grant(
                "RegisterCustomersAndKeys",
                (
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ),
                (REGISTRY_TABLE,),
            ),
            Grant(
                "PutUsageKeysInTheTiersPlans",
                ("apigateway:GET", "apigateway:POST", "apigateway:DELETE"),
                USAGE_KEYS,
            ),
            Grant("ReadTheTiersPlans", ("ssm:GetParameter",), (USAGE_PLANS_PARAMETER,)),
            Grant(
                "DynamoDBHoldsTheTableKey",
                ("kms:CreateGrant",),
                (KMS_KEY,),
                (
                    Condition("StringEquals", "kms:ViaService", ("dynamodb.${region}.amazonaws.com",)),
                    Condition("Bool", "kms:GrantIsForAWSResource", ("true",)),
                ),
                called=False,
            ),
            _via("dynamodb", "Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"),
        ),
    ),
)


FUNCTION_NAMES: tuple[str, ...] = tuple(f.name for f in FUNCTIONS)


def get_function(name: str) -> Function:
    """Looks a function up by its catalogue name; the error lists the valid names."""
    for function in FUNCTIONS:
        if function.name == name:
            return function
    raise KeyError(f"unknown function {name!r}; valid names: {', '.join(FUNCTION_NAMES)}")


def routes() -> list[tuple[Route, Function]]:
    """Every HTTP route with the function that serves it."""
    return [(route, function) for function in FUNCTIONS for route in function.routes]


def terraform_variables() -> dict[str, Any]:
    """The catalogue as Terraform sees it (written to ``terraform/cell/functions.auto.tfvars.json``)."""
    return {
        "functions": {
            f.name: {
                "handler": f.handler,
                "kind": f.kind,
                "description": f.description,
                "memory_mb": f.memory_mb,
                "timeout_s": f.timeout_s,
                "routes": [
                    {"method": r.method, "path": r.path, "compat": r.compat, "public": r.public}
                    for r in f.routes
                ],
            }
            for f in FUNCTIONS
        }
    }


def terraform_variables_json() -> str:
    return json.dumps(terraform_variables(), indent=2, sort_keys=True) + "\n"
