# Least-privilege roles, one per kind of function plus CodeBuild and API Gateway logging.  Data
# services are always named by ARN: the application functions reach tables matching
# <prefix>*-reservations and the registry only, the authorizer only reads the registry, the
# scheduler functions touch one cluster, its node groups and Fargate profiles, one secret and one
# topic, and CodeBuild writes only its bucket and its log group.  Roles and their policies are
# separate resources, so a role exists before the things whose ARNs its policy names.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name
  arn       = "${local.partition}:%s:${local.region}:${local.account}"

  customer_tables_arn = "arn:${format(local.arn, "dynamodb")}:table/${var.table_prefix}*-reservations"
  function_log_arns   = [for n in var.function_names : "arn:${format(local.arn, "logs")}:log-group:/aws/lambda/${n}:*"]
  cluster_arn         = "arn:${format(local.arn, "eks")}:cluster/${var.cluster_name}"
  nodegroups_arn      = "arn:${format(local.arn, "eks")}:nodegroup/${var.cluster_name}/*/*"
  fargate_arn         = "arn:${format(local.arn, "eks")}:fargateprofile/${var.cluster_name}/*/*"

  store_actions = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem", # availability: rooms x nights, 100 keys a call
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:TransactGetItems",
  ]
}

# ---------------------------------------------------------------------------------------------------
# Lambda roles
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name}-app"
  description        = "Reservations API functions: customer tables and registry"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role" "authorizer" {
  name               = "${var.name}-authorizer"
  description        = "Reservations REQUEST authorizer: reads the customers registry"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role" "scheduler" {
  for_each = toset(["down", "up"])

  name               = "${var.name}-cluster-${each.key}"
  description        = "Cluster scheduler (${each.key}): one EKS cluster, one topic${each.key == "up" ? ", one secret" : ""}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# What every function needs: its own log group, X-Ray, and the key (through the services only).
data "aws_iam_policy_document" "function_base" {
  statement {
    sid       = "OwnLogGroups"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = local.function_log_arns
  }

  statement {
    # X-Ray trace APIs have no resource-level permissions; they write telemetry, not data.
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "app" {
  source_policy_documents = [data.aws_iam_policy_document.function_base.json]

  statement {
    sid       = "CustomerTablesAndRegistry"
    actions   = local.store_actions
    resources = [local.customer_tables_arn, var.registry_table_arn]
  }

  statement {
    sid       = "TableKeyThroughDynamoDB"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "authorizer" {
  source_policy_documents = [data.aws_iam_policy_document.function_base.json]

  statement {
    sid       = "ReadRegistry"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
    resources = [var.registry_table_arn]
  }

  statement {
    sid       = "TableKeyThroughDynamoDB"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "scheduler_common" {
  source_policy_documents = [data.aws_iam_policy_document.function_base.json]

  statement {
    sid       = "ReadTheCluster"
    actions   = ["eks:DescribeCluster", "eks:ListNodegroups", "eks:ListFargateProfiles"]
    resources = [local.cluster_arn]
  }

  statement {
    sid       = "PublishOutcomes"
    actions   = ["sns:Publish"]
    resources = [var.notify_topic_arn]
  }

  statement {
    sid       = "EncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "PassTheSchedulerRole"
    actions   = ["iam:PassRole"]
    resources = [var.scheduler_invoke_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "scheduler" {
  for_each = toset(["down", "up"])

  source_policy_documents = [data.aws_iam_policy_document.scheduler_common.json]

  statement {
    sid       = "OwnFollowUpSchedule"
    actions   = ["scheduler:GetSchedule", "scheduler:UpdateSchedule"]
    resources = [var.followup_schedule_arns[each.key]]
  }

  dynamic "statement" {
    for_each = each.key == "down" ? [1] : []
    content {
      sid       = "DeleteTheClustersComputeThenTheCluster"
      actions   = ["eks:DescribeNodegroup", "eks:DeleteNodegroup", "eks:DescribeFargateProfile", "eks:DeleteFargateProfile", "eks:DeleteCluster"]
      resources = [local.cluster_arn, local.nodegroups_arn, local.fargate_arn]
    }
  }

  dynamic "statement" {
    # Describe calls of ELB and EC2 have no resource-level permissions; they reveal no data.
    for_each = each.key == "down" ? [1] : []
    content {
      sid       = "FindWhatKubernetesLeftBehind"
      actions   = ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTags", "ec2:DescribeSecurityGroups"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "down" ? {
      "in-tree"    = "aws:ResourceTag/kubernetes.io/cluster/${var.cluster_name}"
      "controller" = "aws:ResourceTag/elbv2.k8s.aws/cluster"
    } : {}
    content {
      sid = "ReleaseLoadBalancersOwnedByTheCluster${statement.key == "in-tree" ? "" : "Controller"}"
      actions = [
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "ec2:DeleteSecurityGroup",
      ]
      resources = [
        "arn:${format(local.arn, "elasticloadbalancing")}:loadbalancer/*",
        "arn:${format(local.arn, "elasticloadbalancing")}:targetgroup/*",
        "arn:${format(local.arn, "ec2")}:security-group/*",
      ]
      condition {
        test     = "StringEquals"
        variable = statement.value
        values   = [statement.key == "in-tree" ? "owned" : var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "up" && var.tfc_token_secret_arn != null ? [1] : []
    content {
      sid       = "TheTerraformCloudToken"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.tfc_token_secret_arn]
    }
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "store"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_iam_role_policy" "authorizer" {
  name   = "registry-read"
  role   = aws_iam_role.authorizer.id
  policy = data.aws_iam_policy_document.authorizer.json
}

resource "aws_iam_role_policy" "scheduler" {
  for_each = aws_iam_role.scheduler

  name   = "cluster-${each.key}"
  role   = each.value.id
  policy = data.aws_iam_policy_document.scheduler[each.key].json
}

# ---------------------------------------------------------------------------------------------------
# CodeBuild
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "codebuild" {
  name               = "${var.name}-codebuild"
  description        = "Builds function zips into the artifacts bucket"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json
}

data "aws_iam_policy_document" "codebuild" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.codebuild_log_group_arn}:*"]
  }

  statement {
    sid       = "ArtifactsObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:GetObjectVersion"]
    resources = ["${var.artifacts_bucket_arn}/*"]
  }

  statement {
    sid       = "ArtifactsListing"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.artifacts_bucket_arn]
  }

  statement {
    sid       = "ArtifactsKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "codebuild" {
  name   = "build"
  role   = aws_iam_role.codebuild.id
  policy = data.aws_iam_policy_document.codebuild.json
}

# ---------------------------------------------------------------------------------------------------
# API Gateway's CloudWatch Logs role (account-wide setting, used for access and execution logs)
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  name               = "${var.name}-apigateway-logs"
  description        = "Lets API Gateway write access and execution logs"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy_attachment" "apigateway_logs" {
  role       = aws_iam_role.apigateway_logs.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}
