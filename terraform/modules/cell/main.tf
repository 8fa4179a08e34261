# One cell (docs/cells.md): wires the catalogue's functions, the customers registry and the API, the
# EKS cluster with its nginx edge, the cost scheduler, the build pipeline and the web page together,
# in whichever account and Region the caller's provider points at. No provider block here: the cell's
# root (terraform/cell) configures it, so the same module deploys every cell and every example.
# Function names, handlers and routes come from var.functions (terraform/cell/functions.auto.tfvars.json,
# generated from reservations.catalogue); builds from var.lambda_builds.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  registry_table_name = "${var.table_prefix}reservations-customers"
  artifact_key_prefix = var.artifacts_prefix == "" ? "" : "${var.artifacts_prefix}/"

  authorizer_function = one([for name, f in var.functions : name if f.kind == "authorizer"])
  # The operator's onboarding function (docs/deploying.md: aws lambda invoke), none or one.
  admin_function = one([for name, f in var.functions : name if f.kind == "admin"])
  # Scheduler functions are named cluster-<direction>; direction is "down" or "up" (checked by the
  # variable's validation), so the schedule for each direction finds its function without a second list.
  scheduler_direction = { for name, f in var.functions : name => trimprefix(name, "cluster-") if f.kind == "scheduler" }
  scheduler_function  = { for name, direction in local.scheduler_direction : direction => name }

  # The channel sync's queue, named and addressed before it exists: the function's policy and
  # environment name it, while the queue's event source mapping names the function.
  channel_sync_function  = one([for name, f in var.functions : name if f.kind == "sync"])
  channel_sync_queue     = "${var.name}-channel-sync"
  channel_sync_queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${var.region}:${data.aws_caller_identity.current.account_id}:${local.channel_sync_queue}"
  channel_sync_queue_url = "https://sqs.${var.region}.amazonaws.com/${data.aws_caller_identity.current.account_id}/${local.channel_sync_queue}"

  store_environment = {
    RESERVATIONS_STORE            = "dynamodb"
    RESERVATIONS_TABLE_PREFIX     = var.table_prefix
    RESERVATIONS_REGISTRY_TABLE   = module.registry_table.name
    RESERVATIONS_USAGE_KEY_PREFIX = module.rest_api.usage_key_prefix
    RESERVATIONS_CORS_ORIGINS     = join(",", var.cors_allowed_origins)                  # the page's: the stage's corsOrigins
    RESERVATIONS_PUBLIC_API_URL   = var.public_api_url == null ? "" : var.public_api_url # where channels fetch the feeds
    POWERTOOLS_SERVICE_NAME       = var.name
    POWERTOOLS_LOG_LEVEL          = "INFO"
  }

  # The schedules run only when the cluster can be rebuilt: the state lives in a Terraform Cloud
  # workspace the "up" function can start runs in. Otherwise the nightly teardown would leave a
  # local-state install without its cluster and with nothing to bring it back.
  tfc_configured   = var.tfc_organization != null && var.tfc_workspace != null && var.tfc_token_secret_arn != null
  schedule_enabled = var.cluster_schedule.enabled && local.tfc_configured
  cluster_schedule = merge(var.cluster_schedule, { enabled = local.schedule_enabled })

  scheduler_environment = {
    RESERVATIONS_CLUSTER_NAME            = var.cluster_name
    RESERVATIONS_TFC_URL                 = var.tfc_url
    RESERVATIONS_TFC_ORGANIZATION        = var.tfc_organization == null ? "" : var.tfc_organization
    RESERVATIONS_TFC_WORKSPACE           = var.tfc_workspace == null ? "" : var.tfc_workspace
    RESERVATIONS_TFC_EDGE_WORKSPACE      = var.tfc_edge_workspace == null ? "" : var.tfc_edge_workspace
    RESERVATIONS_TFC_TOKEN_SECRET_ARN    = var.tfc_token_secret_arn == null ? "" : var.tfc_token_secret_arn
    RESERVATIONS_TFC_CLIENT              = var.tfc_client
    RESERVATIONS_NOTIFY_TOPIC_ARN        = module.cluster_scheduler.topic_arn
    RESERVATIONS_SCHEDULE_TIMEZONE       = var.cluster_schedule.timezone
    RESERVATIONS_HOLIDAYS                = join(",", var.cluster_schedule.holidays)
    RESERVATIONS_ALLOW_FOREIGN_CHANGES   = tostring(var.cluster_schedule.allow_foreign_changes)
    RESERVATIONS_FOLLOWUP_SCHEDULE_GROUP = module.cluster_scheduler.schedule_group_name
    POWERTOOLS_SERVICE_NAME              = "${var.name}-scheduler"
    POWERTOOLS_LOG_LEVEL                 = "INFO"
  }

  # What onboarding gives a customer's table, as the customer_table module gave it (the operator's
  # CLI exports the same values: docs/deploying.md step 6). The tiers' usage plans are read from
  # their parameter at each invocation: the plans belong to the API's stage, which is made after the
  # functions, so an environment naming them would be a dependency cycle.
  usage_plans_parameter = "/${var.name}/tenants/usage-plans"
  admin_environment = merge(local.store_environment, {
    RESERVATIONS_TABLE_KMS_KEY_ARN     = aws_kms_key.this.arn
    RESERVATIONS_BACKUP_TAG            = local.backup_tag["reservations/backup"]
    RESERVATIONS_USAGE_PLANS_PARAMETER = local.usage_plans_parameter
  })

  # An API function reaches customer tables only through its tenant-access role, assumed per request.
  function_environment = {
    for name, f in var.functions : name => (
      f.kind == "scheduler"
      ? merge(local.scheduler_environment, { RESERVATIONS_FOLLOWUP_SCHEDULE = module.cluster_scheduler.followup_schedule_names[local.scheduler_direction[name]] })
      : f.kind == "api"
      ? merge(local.store_environment, { RESERVATIONS_TENANT_ROLE_ARN = module.iam.tenant_role_arns[name] })
      : f.kind == "sync"
      ? merge(local.store_environment, {
        RESERVATIONS_TENANT_ROLE_ARN        = module.iam.tenant_role_arns[name]
        RESERVATIONS_CHANNEL_SYNC_QUEUE_URL = local.channel_sync_queue_url
      })
      : f.kind == "admin"
      ? local.admin_environment
      : local.store_environment
    )
  }

  # The backup plan selects tables by this tag only (no list of ARNs: issue #23): `reservations
  # tenants create` tags each customer's table with it, and a restored copy keeps its source's tags.
  backup_tag = { "reservations/backup" = var.name }

  # Every caller (API Gateway, the schedules) invokes the alias live, which CodeDeploy moves between
  # versions. Read from the functions' aliases, not typed, so that what names it (invoke permissions,
  # asynchronous-invocation settings) is created after the aliases exist.
  function_alias = one(distinct([for f in values(module.function) : f.alias_name]))

  # The route the synthetic check lists through the edge: the reservations collection, i.e. the one
  # plain path (no parameter, not a compatibility route) that can be both read (GET) and added to
  # (POST). Rooms and availability are GET collections too, but nothing is POSTed to them.
  api_main_routes     = flatten([for f in values(var.functions) : [for r in f.routes : r if f.kind == "api" && !r.compat && !strcontains(r.path, "{")]])
  synthetic_list_path = one(distinct([for r in local.api_main_routes : r.path if r.method == "GET" && contains([for p in local.api_main_routes : p.path if p.method == "POST"], r.path)]))

  web_origins          = var.enable_web ? [module.web[0].url] : []
  cors_allowed_origins = distinct(concat(var.cors_allowed_origins, local.web_origins))

  # The edge's own root module (terraform/edge) reads this, so that it needs neither this state nor
  # a copy of anything else. Fixed-size: no host names (custom domains are registry items, customer
  # subdomains one pattern in the edge root), so it never grows with customers.
  edge_handoff = {
    cluster_name     = module.eks.cluster_name
    upstream_url     = module.rest_api.invoke_url
    image_repository = module.ecr.repository_url
    edge_secret_arn  = var.edge_secret_arn
    edge_header_name = module.rest_api.edge_header_name
    # The pods' custom-domain sync (edge_sync.tf): the registry it reads and the role it reads with.
    registry_table     = module.registry_table.name
    edge_sync_role_arn = aws_iam_role.edge_sync.arn
  }
}

# One customer-managed key for data at rest: tables, log groups, the artifacts bucket, the
# scheduler's topic and queue, the cluster's secrets and the image repository.
resource "aws_kms_key" "this" {
  description             = "${var.name}: data at rest (DynamoDB, logs, S3, SNS, SQS, EKS secrets, ECR)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

# A key policy's Resource "*" means "this key"; the account delegates to IAM, and the services that
# encrypt on their own behalf (CloudWatch Logs, SNS and EventBridge Scheduler) get use of the key,
# each limited to this account.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:This is a key policy: its Resource "*" is the key itself, and write access goes to the account's IAM (which grants it per role), Logs for this account's log groups, and SNS/Scheduler for this account only.
  #checkov:skip=CKV_AWS_356:This is a key policy: Resource "*" can only mean the key the policy is attached to.
  #checkov:skip=CKV_AWS_109:This is a key policy: "kms:*" for the account root delegates key administration to IAM, as AWS's default key policy does; without it the key would be unmanageable.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }

  # CloudWatch alarms and AWS Budgets publish to the alarm topic, which this key encrypts.
  statement {
    sid       = "AlarmsAndBudgetsPublishToTheEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }
  }

  statement {
    sid       = "ServicesPublishingToEncryptedTopicsAndQueues"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com", "sns.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# ---------------------------------------------------------------------------------------------------
# Data: the customers registry. Nothing here is per customer (issue #23): `reservations tenants
# create` makes each customer's table with this module's settings (reservations.stores.
# dynamodb_provision) and registers it; Terraform's plan does not grow with the customers.
# ---------------------------------------------------------------------------------------------------

module "registry_table" {
  source = "../customer_table"

  table_name          = local.registry_table_name
  ttl_attribute       = null
  kms_key_arn         = aws_kms_key.this.arn
  tags                = local.backup_tag
  deletion_protection = var.registry_deletion_protection
}

# ---------------------------------------------------------------------------------------------------
# Functions: one per catalogue entry, code from the build's S3 artifact
# ---------------------------------------------------------------------------------------------------
module "function" {
  source   = "../lambda_function"
  for_each = var.functions

  function_name    = "${var.name}-${each.key}"
  description      = each.value.description
  handler          = each.value.handler
  memory_mb        = each.value.memory_mb
  timeout_s        = each.value.timeout_s
  architecture     = var.lambda_architecture
  s3_bucket        = module.build.artifacts_bucket_name
  s3_key           = coalesce(try(var.lambda_builds[each.key].s3_key, null), "${local.artifact_key_prefix}${each.key}/${each.key}-${try(var.lambda_builds[each.key].build_id, "missing")}.zip")
  source_code_hash = try(var.lambda_builds[each.key].source_code_hash, "")
  role_arn         = module.iam.function_role_arns[each.key]
  environment      = local.function_environment[each.key]
  # One onboarding operation at a time (a create and a delete of one customer must not race): a
  # second concurrent invocation is throttled, not run.
  reserved_concurrency = each.value.kind == "api" ? var.api_reserved_concurrency : each.value.kind == "admin" ? 1 : null
  snap_start           = var.lambda_snap_start && contains(["api", "authorizer"], each.value.kind)
  log_retention_days   = var.log_retention.function
  kms_key_arn          = aws_kms_key.this.arn
}

module "iam" {
  source = "../iam"

  name                      = var.name
  table_prefix              = var.table_prefix
  registry_table_arn        = module.registry_table.arn
  kms_key_arn               = aws_kms_key.this.arn
  function_kinds            = { for name, f in var.functions : name => f.kind }
  cluster_name              = var.cluster_name
  tfc_token_secret_arn      = var.tfc_token_secret_arn
  notify_topic_arn          = module.cluster_scheduler.topic_arn
  followup_schedule_arns    = module.cluster_scheduler.followup_schedule_arns
  scheduler_invoke_role_arn = module.cluster_scheduler.invoke_role_arn
  channel_sync_queue_arn    = local.channel_sync_queue_arn
  artifacts_bucket_arn      = module.build.artifacts_bucket_arn
  codebuild_log_group_arn   = module.build.log_group_arn
}

# ---------------------------------------------------------------------------------------------------
# The REST API: routes, authorizers and usage plans from the catalogue and the tiers
# ---------------------------------------------------------------------------------------------------
module "rest_api" {
  source = "../rest_api"

  name                         = var.name
  stage_name                   = var.stage_name
  functions                    = var.functions
  function_invoke_arns         = { for name, m in module.function : name => m.alias_invoke_arn }
  function_names               = { for name, m in module.function : name => m.function_name }
  function_alias               = local.function_alias
  authorizer_function          = local.authorizer_function
  authorizer_cache_ttl_seconds = var.authorizer_cache_ttl_seconds
  tiers                        = var.tiers
  enforce_usage_plans          = var.enforce_usage_plans
  throttle                     = var.api_throttle
  cors_allowed_origins         = local.cors_allowed_origins
  enable_cors                  = var.enable_web || length(var.cors_allowed_origins) > 0
  enable_waf                   = var.enable_waf
  require_edge_header          = var.edge_secret_arn != null
  edge_header_value            = one(data.aws_secretsmanager_secret_version.edge_header[*].secret_string)
  manage_account               = var.manage_api_gateway_account
  cloudwatch_role_arn          = module.iam.api_gateway_cloudwatch_role_arn
  access_log_retention_days    = var.log_retention.access
  audit_log_retention_days     = var.log_retention.audit
  kms_key_arn                  = aws_kms_key.this.arn
}

# ---------------------------------------------------------------------------------------------------
# Build pipeline, image repository and web page
# ---------------------------------------------------------------------------------------------------
module "build" {
  source = "../build"

  name                  = var.name
  source_repository_url = var.source_repository_url
  source_version        = var.source_version
  artifacts_prefix      = var.artifacts_prefix
  default_function      = keys(var.functions)[0] # builds override FUNCTION_NAME; any catalogue name will do
  lambda_architecture   = var.lambda_architecture
  service_role_arn      = module.iam.codebuild_role.arn
  kms_key_arn           = aws_kms_key.this.arn
  log_retention_days    = var.log_retention.function
  source_auth           = var.source_auth
  force_destroy         = var.artifacts_force_destroy
}

module "ecr" {
  source = "../ecr"

  repository_name = "${var.name}-edge"
  kms_key_arn     = aws_kms_key.this.arn
}

module "web" {
  source = "../web"
  count  = var.enable_web ? 1 : 0

  name         = var.name
  source_dir   = coalesce(var.web_source_dir, "${path.module}/../../../web")
  api_origin   = module.rest_api.origin
  api_base_url = module.rest_api.invoke_url
}

# ---------------------------------------------------------------------------------------------------
# EKS (the nginx edge on it is the edge root module's, terraform/edge), and the scheduler that tears it down and rebuilds it
# ---------------------------------------------------------------------------------------------------
module "eks" {
  source = "../eks"

  cluster_name                       = var.cluster_name
  cluster_version                    = var.cluster_version
  vpc_id                             = var.vpc_id
  subnet_ids                         = var.subnet_ids
  node_subnet_ids                    = var.cluster_node_subnet_ids
  endpoint_client_security_group_ids = var.cluster_endpoint_client_security_group_ids
  terraform_run_role_arn             = var.terraform_run_role_arn
  endpoint_public_access_cidrs       = var.cluster_endpoint_public_access_cidrs
  admin_role_arns                    = var.cluster_admin_role_arns
  node_group                         = var.node_group
  schedule_opt_in                    = local.schedule_enabled
  kms_key_arn                        = aws_kms_key.this.arn
  log_retention_days                 = var.log_retention.audit
}

# The edge's proof that a request came through it (var.edge_secret_arn): the WAF compares the header
# with this value. It is in the state, as every value Terraform configures; the state is a secret.
data "aws_secretsmanager_secret_version" "edge_header" {
  count     = var.edge_secret_arn == null ? 0 : 1
  secret_id = var.edge_secret_arn
}

# What the edge's root module needs from this one (terraform/edge reads it with a data source).
resource "aws_ssm_parameter" "edge_handoff" {
  #checkov:skip=CKV2_AWS_34:Holds no secret (a cluster name, the API's URL, the image repository, the WAF header's name and its secret's ARN); a plain String lets the edge's run read it without a KMS grant.
  name        = "/${var.name}/edge/handoff"
  description = "Read by the edge root module (terraform/edge): cluster, upstream, image repository, edge header."
  type        = "String"
  tier        = "Standard"
  value       = jsonencode(local.edge_handoff)

  lifecycle {
    precondition {
      condition     = var.edge_secret_arn == null || (var.enable_waf && !var.enable_web)
      error_message = "edge_secret_arn (the edge as the only way in) needs enable_waf = true (the WAF enforces it) and enable_web = false (the CloudFront page calls the API directly; the edge serves the page itself)."
    }
  }
}

module "channel_sync" {
  source = "../channel_sync"

  name               = var.name
  queue_name         = local.channel_sync_queue
  function_arn       = module.function[local.channel_sync_function].alias_arn
  function_timeout_s = var.functions[local.channel_sync_function].timeout_s
  log_group_name     = module.function[local.channel_sync_function].log_group_name
  kms_key_arn        = aws_kms_key.this.arn
  alarm_topic_arn    = module.monitoring.topic_arn
  metric_namespace   = "Reservations/${var.name}"
}

# The tiers' usage plans, read by the onboarding function at each invocation (local.usage_plans_parameter).
resource "aws_ssm_parameter" "usage_plans" {
  #checkov:skip=CKV2_AWS_34:Holds no secret (tier -> usage plan id); a plain String needs no KMS grant to read.
  name        = local.usage_plans_parameter
  description = "Tier -> API Gateway usage plan id, for the onboarding function (tenants-admin)."
  type        = "String"
  tier        = "Standard"
  value       = jsonencode(module.rest_api.usage_plan_ids)
}

module "cluster_scheduler" {
  source = "../cluster_scheduler"

  name                = var.name
  function_arns       = { for direction, name in local.scheduler_function : direction => module.function[name].alias_arn }
  function_names      = { for direction, name in local.scheduler_function : direction => module.function[name].function_name }
  function_alias      = local.function_alias
  schedule            = local.cluster_schedule
  notification_emails = var.notification_emails
  kms_key_arn         = aws_kms_key.this.arn
}
