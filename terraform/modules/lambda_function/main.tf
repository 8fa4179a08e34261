# One Lambda function from a build artifact in S3, with its own log group created first, so the
# retention and encryption apply from the very first invocation (Lambda would otherwise create the
# group itself, unencrypted and kept forever). Every build is published as a numbered version;
# callers invoke the alias `live`, which Terraform points at the first version only: afterwards
# CodeDeploy moves it (canary, then all traffic, or back on an alarm), see modules/deployment.

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the operator's choice per log class (var.log_retention.function at the root); debug output of functions rarely earns a year of storage.
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The functions reach DynamoDB, EKS, SNS and Secrets Manager through public AWS endpoints; a VPC would add NAT or endpoint cost and cold-start time without isolating anything.
  #checkov:skip=CKV_AWS_116:API functions are invoked synchronously (a DLQ never receives anything); the scheduler's asynchronous invocations have a dead-letter queue on their EventBridge Scheduler target.
  #checkov:skip=CKV_AWS_272:Integrity comes from the reproducible build: source_code_hash pins the exact zip the builder hashed, and the artifacts bucket refuses silent overwrites.
  #checkov:skip=CKV_AWS_115:Reserved concurrency is a per-deployment choice (var.api_reserved_concurrency); reserving by default would take capacity from the account's other functions.
  function_name    = var.function_name
  description      = var.description
  role             = var.role_arn
  runtime          = var.runtime
  handler          = var.handler
  architectures    = [var.architecture]
  memory_size      = var.memory_mb
  timeout          = var.timeout_s
  s3_bucket        = var.s3_bucket
  s3_key           = var.s3_key
  source_code_hash = var.source_code_hash
  kms_key_arn      = var.kms_key_arn
  publish          = true

  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = var.tracing_mode
  }

  # SnapStart: each published version is initialised once and snapshotted; a cold start restores
  # the snapshot (reservations.functions.snapstart warms the store before it and drops cached
  # tenant credentials after each restore). The alias live always names a published version.
  dynamic "snap_start" {
    for_each = var.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  # Code integrity: what Lambda stored is byte for byte the zip the builder hashed. A swapped object
  # in the bucket (same key, other bytes) fails the apply instead of being published.
  lifecycle {
    postcondition {
      condition     = self.code_sha256 == var.source_code_hash
      error_message = "The deployed code's sha256 (${self.code_sha256}) is not the build's source_code_hash (${var.source_code_hash}): the artifact in S3 is not the one the builder recorded."
    }
  }
}

# The alias every caller uses. Terraform sets its version once; CodeDeploy owns it from then on, so
# a plan never undoes a canary in flight or a rollback.
resource "aws_lambda_alias" "live" {
  name             = var.alias_name
  description      = "What API Gateway and the schedules invoke; moved by CodeDeploy"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}
