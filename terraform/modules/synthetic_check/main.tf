# A synthetic check after each morning's rebuild, with no code of its own: EventBridge Scheduler
# (in the schedule's time zone) puts one event on the default bus, and a rule sends it to two API
# destinations on the edge: GET /healthz, and one authenticated list through the edge (/api/...)
# with a customer's API key. Any answer but 2xx, or none within five seconds, counts as a failed
# invocation of the rule, which the monitoring module's alarm pages on; the failed event, with the
# reason, goes to a queue.
#
# The API key is never in Terraform: the connection is created with a placeholder and the operator
# sets the real key once (`aws events update-connection`, docs/operating.md); Terraform ignores it.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  source      = "${var.name}.synthetic-check"
  detail_type = "Synthetic check"
  bus_arn     = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:event-bus/default"
  endpoints = {
    healthz = "${trimsuffix(var.edge_url, "/")}/healthz"
    list    = "${trimsuffix(var.edge_url, "/")}/api${var.list_path}"
  }
}

resource "aws_cloudwatch_event_connection" "edge" {
  name               = "${var.name}-synthetic-check"
  description        = "The synthetic check's customer API key (set by the operator, never by Terraform)"
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = "X-Api-Key"
      value = "placeholder-set-with-aws-events-update-connection"
    }
  }

  lifecycle {
    ignore_changes = [auth_parameters]
  }
}

resource "aws_cloudwatch_event_api_destination" "this" {
  for_each = local.endpoints

  name                             = "${var.name}-synthetic-${each.key}"
  description                      = "Synthetic check: GET ${each.value}"
  invocation_endpoint              = each.value
  http_method                      = "GET"
  invocation_rate_limit_per_second = 1
  connection_arn                   = aws_cloudwatch_event_connection.edge.arn
}

resource "aws_cloudwatch_event_rule" "this" {
  name        = "${var.name}-synthetic-check"
  description = "Calls the edge's /healthz and one authenticated list after the morning's rebuild"
  event_pattern = jsonencode({
    source        = [local.source]
    "detail-type" = [local.detail_type]
  })
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-synthetic-check"
  description        = "The synthetic check's schedule puts its event; its rule calls the edge"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "CallTheEdge"
    actions   = ["events:InvokeApiDestination"]
    resources = [for d in aws_cloudwatch_event_api_destination.this : d.arn]
  }

  statement {
    sid       = "StartTheCheck"
    actions   = ["events:PutEvents"]
    resources = [local.bus_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "synthetic-check"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = aws_cloudwatch_event_api_destination.this

  rule     = aws_cloudwatch_event_rule.this.name
  arn      = each.value.arn
  role_arn = aws_iam_role.this.arn

  # Retries cover a pod being replaced (EventBridge retries timeouts, 5xx and 429, not other 4xx);
  # an edge still down after ten minutes is a failure, and why lands in the failures queue.
  retry_policy {
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 600
  }

  dead_letter_config {
    arn = aws_sqs_queue.failures.arn
  }
}

# Each failed call's event with ERROR_CODE and ERROR_MESSAGE attributes (status code, timeout): what
# the on-call engineer reads after the alarm. SQS-managed encryption: the messages are the check's
# own empty event, and a KMS key would need EventBridge in its policy.
resource "aws_sqs_queue" "failures" {
  name                      = "${var.name}-synthetic-check-failures"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 345600
}

data "aws_iam_policy_document" "failures" {
  statement {
    sid       = "TheCheckRuleOnly"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.failures.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.this.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "failures" {
  queue_url = aws_sqs_queue.failures.id
  policy    = data.aws_iam_policy_document.failures.json
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:The input is a constant empty object, nothing to protect with a customer-managed key.
  name                         = "${var.name}-synthetic-check"
  description                  = "Starts the synthetic check after the morning's rebuild"
  schedule_expression          = var.schedule
  schedule_expression_timezone = var.timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = local.bus_arn
    role_arn = aws_iam_role.this.arn
    input    = jsonencode({})

    eventbridge_parameters {
      source      = local.source
      detail_type = local.detail_type
    }
  }
}
