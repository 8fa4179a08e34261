# Least-privilege roles: one per catalogue function (its policy is exactly the AWS calls its code
# makes, declared in reservations.catalogue and rendered into policies.json.tftpl), a tenant-access
# role per API function (one customer's table, chosen by the session tag customer), CodeBuild and API
# Gateway logging.  Data services are always named by ARN.  Roles and their policies are separate
# resources, so a role exists before the things whose ARNs its policy names.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name
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

# One execution role per catalogue function, and for each API function a tenant-access role it
# assumes per request with the session tag customer=<name>.  Their policies are the catalogue's
# grants, rendered by `make tfvars` into policies.json.tftpl and tenant-trust.json.tftpl and attached
# as they are: the policy tests evaluate the same documents (tests/security).
locals {
  registry_table_name = element(split("/", var.registry_table_arn), 1)

  rendered = jsondecode(templatefile("${path.module}/policies.json.tftpl", {
    partition                  = local.partition
    region                     = local.region
    account                    = local.account
    name                       = var.name
    table_prefix               = var.table_prefix
    registry_table             = local.registry_table_name
    kms_key_arn                = var.kms_key_arn
    cluster_name               = var.cluster_name
    tfc_token_secret_arn       = var.tfc_token_secret_arn == null ? "" : var.tfc_token_secret_arn
    notify_topic_arn           = var.notify_topic_arn
    followup_schedule_arn_down = var.followup_schedule_arns["down"]
    followup_schedule_arn_up   = var.followup_schedule_arns["up"]
    scheduler_invoke_role_arn  = var.scheduler_invoke_role_arn
    channel_sync_queue_arn     = var.channel_sync_queue_arn
  })).functions

  # Without a Terraform Cloud token secret the "up" function reads none: a statement left with an
  # empty resource is dropped rather than granted.
  policies = {
    for name, documents in local.rendered : name => merge(documents, {
      role = merge(documents.role, { Statement = [for s in documents.role.Statement : s if !contains(s.Resource, "")] })
    })
  }

  # A template of its own: it names only the account and the roles, so the tenant roles (and the
  # functions whose environment names them) never wait for the resources the policies name.
  tenant_trust = jsondecode(templatefile("${path.module}/tenant-trust.json.tftpl", {
    partition = local.partition
    account   = local.account
    name      = var.name
  })).tenant_trust

  # Keys from the catalogue, known at plan time.
  # Tenant-access roles: the API functions and the channel sync act for one customer at a time.
  api_functions = toset([for name, kind in var.function_kinds : name if contains(["api", "sync"], kind)])
}

resource "aws_iam_role" "function" {
  for_each = var.function_kinds

  name               = "${var.name}-${each.key}"
  description        = "Reservations function ${each.key}: exactly the calls its code makes"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy" "function" {
  for_each = var.function_kinds

  name   = "catalogue"
  role   = aws_iam_role.function[each.key].id
  policy = jsonencode(local.policies[each.key].role)
}

resource "aws_iam_role" "tenant" {
  for_each = local.api_functions

  name                 = "${var.name}-${each.key}-tenant"
  description          = "Reservations ${each.key} acting for one customer (session tag customer): its table only"
  assume_role_policy   = jsonencode(local.tenant_trust[each.key])
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "tenant" {
  for_each = local.api_functions

  name   = "customer-table"
  role   = aws_iam_role.tenant[each.key].id
  policy = jsonencode(local.policies[each.key].tenant)
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
