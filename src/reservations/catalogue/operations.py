"""The functions no client calls: the channel sync, the cluster scheduler and the operator's onboarding."""

from __future__ import annotations

from reservations.catalogue.grants import (
    CHANNEL_SYNC_QUEUE,
    CLUSTER,
    CUSTOMER_TABLES,
    FARGATE_PROFILES,
    KMS_KEY,
    LOAD_BALANCERS,
    NODEGROUPS,
    ONBOARDED_TABLES,
    REGISTRY_TABLE,
    SCHEDULER_COMMON,
    SECURITY_GROUPS,
    TARGET_GROUPS,
    USAGE_KEYS,
    USAGE_PLANS_PARAMETER,
    followup,
    via,
    with_the_key,
)
from reservations.catalogue.model import Condition, Function, Grant

CHANNEL_SYNC = Function(
    name="channel-sync",
    module="reservations.functions.channel_sync",
    kind="sync",
    description="Every 15 minutes: fetches each room's imported channel calendars into blocks, customers fanned out by a queue.",
    memory_mb=512,
    timeout_s=300,
    grants=(
        # Scan: the active customers (the registry is small); GetItem: each one's table.
        Grant("FindTheCustomers", ("dynamodb:Scan", "dynamodb:GetItem"), (REGISTRY_TABLE,)),
        via("dynamodb", "Decrypt", "DescribeKey"),
        # SendMessageBatch is authorised as sqs:SendMessage.
        Grant("HandOutTheCustomers", ("sqs:SendMessage",), (CHANNEL_SYNC_QUEUE,)),
        # The event source mapping reads the queue for the function; the code never calls these.
        Grant(
            "TakeTheCustomersFromTheQueue",
            ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
            (CHANNEL_SYNC_QUEUE,),
            called=False,
        ),
        via("sqs", "Decrypt", "GenerateDataKey"),
    ),
    tenant_grants=with_the_key(
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
)

OPERATIONS: tuple[Function, ...] = (
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
            followup("down"),
            *SCHEDULER_COMMON,
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
            followup("up"),
            *SCHEDULER_COMMON,
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
            via("dynamodb", "Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"),
        ),
    ),
)
