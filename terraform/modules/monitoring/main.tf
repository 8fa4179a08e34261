# What pages the on-call engineer: one SNS topic every alarm notifies (ALARM and back to OK), and the
# alarms, one per signal that needs a person: the API's server errors and tail latency, each
# function's errors, throttles and runs close to its timeout, the tables' system errors and
# throttling (the registry's by table, every customer's together: customers.tf), the scheduler's
# undelivered invocations and failed or refused cycles, WAF blocks and the morning's synthetic
# check, and damage a write found in a table. The dashboard (dashboard.tf) and the budget
# (budget.tf) read the same signals.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region     = data.aws_region.current.name
  namespace  = "Reservations/${var.name}"
  api_dims   = { ApiName = var.api_name, Stage = var.stage_name }
  topic_arns = [aws_sns_topic.alarms.arn]

  function_alarms = merge([
    for fn, f in var.functions : {
      "${fn}-errors" = {
        function    = fn, namespace = "AWS/Lambda", metric = "Errors", dimensions = { FunctionName = f.function_name }
        statistic   = "Sum", threshold = var.thresholds.function_errors, periods = 1, treat_missing = "notBreaching"
        description = "${f.function_name} raised or timed out ${var.thresholds.function_errors}+ times in 5 minutes."
      }
      "${fn}-throttles" = {
        function    = fn, namespace = "AWS/Lambda", metric = "Throttles", dimensions = { FunctionName = f.function_name }
        statistic   = "Sum", threshold = var.thresholds.function_throttles, periods = 1, treat_missing = "notBreaching"
        description = "${f.function_name} was throttled ${var.thresholds.function_throttles}+ times in 5 minutes (concurrency limit)."
      }
      "${fn}-duration" = {
        function    = fn, namespace = "AWS/Lambda", metric = "Duration", dimensions = { FunctionName = f.function_name }
        statistic   = "Maximum", threshold = floor(f.timeout_s * 1000 * var.thresholds.duration_fraction_of_timeout), periods = 1, treat_missing = "notBreaching"
        description = "${f.function_name} ran longer than ${var.thresholds.duration_fraction_of_timeout * 100}% of its ${f.timeout_s} s timeout."
      }
    }
  ]...)

  # Alarms on one plain metric each. Missing data: no traffic means no error, so most alarms treat
  # it as fine; the ones whose silence is itself suspicious say so.
  simple_alarms = merge(
    {
      "api-5xx" = {
        function    = null, namespace = "AWS/ApiGateway", metric = "5XXError", dimensions = local.api_dims
        statistic   = "Sum", threshold = var.thresholds.api_5xx_per_5_minutes, periods = 1, treat_missing = "notBreaching"
        description = "The API answered ${var.thresholds.api_5xx_per_5_minutes}+ server errors (5xx) in 5 minutes."
      }
      "dead-letters" = {
        function    = null, namespace = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = var.dead_letter_queue_name }
        statistic   = "Maximum", threshold = 1, periods = 1, treat_missing = "notBreaching"
        description = "EventBridge Scheduler could not deliver a scheduler invocation: read the message in ${var.dead_letter_queue_name}."
      }
      "store-damage" = {
        function    = null, namespace = local.namespace, metric = "StoreDamage", dimensions = {}
        statistic   = "Sum", threshold = 1, periods = 1, treat_missing = "notBreaching"
        description = "A write found a customer's table out of step with itself (a night held by a reservation that is gone): run reservations tenants check (docs/operating.md)."
      }
      # Every customer's table together (customers.tf): the functions count DynamoDB's answers.
      "store-throttles" = {
        function    = null, namespace = local.namespace, metric = "StoreThrottles", dimensions = {}
        statistic   = "Sum", threshold = var.thresholds.table_throttled_requests, periods = 1, treat_missing = "notBreaching"
        description = "DynamoDB throttled ${var.thresholds.table_throttled_requests}+ attempts on customers' tables in 5 minutes (retried ones included): the dashboard's Customers row names whose."
      }
      "store-errors" = {
        function    = null, namespace = local.namespace, metric = "StoreErrors", dimensions = {}
        statistic   = "Sum", threshold = var.thresholds.table_system_errors, periods = 1, treat_missing = "notBreaching"
        description = "DynamoDB answered ${var.thresholds.table_system_errors}+ attempts on customers' tables with a server error in 5 minutes: AWS Health, then the Customers row."
      }
      "scheduler-cycle-failed" = {
        function    = null, namespace = local.namespace, metric = "SchedulerCycleFailed", dimensions = {}
        statistic   = "Sum", threshold = 1, periods = 1, treat_missing = "notBreaching"
        description = "A scheduler cycle finished failed or refused (cluster not torn down or not rebuilt): see the scheduler's log and topic."
      }
    },
    var.web_acl_name == null ? {} : {
      "waf-blocked" = {
        function    = null, namespace = "AWS/WAFV2", metric = "BlockedRequests", dimensions = { WebACL = var.web_acl_name, Region = local.region, Rule = "ALL" }
        statistic   = "Sum", threshold = var.thresholds.waf_blocked_per_5_minutes, periods = 1, treat_missing = "notBreaching"
        description = "WAF blocked ${var.thresholds.waf_blocked_per_5_minutes}+ requests in 5 minutes: an attack, or a rule refusing real customers."
      }
    },
    var.synthetic_check_rule_name == null ? {} : {
      "synthetic-check" = {
        function    = null, namespace = "AWS/Events", metric = "FailedInvocations", dimensions = { RuleName = var.synthetic_check_rule_name }
        statistic   = "Sum", threshold = 1, periods = 1, treat_missing = "notBreaching"
        description = "The morning's synthetic check (edge /healthz, one authenticated list) failed after the rebuild."
      }
    },
    local.function_alarms,
  )

  # DynamoDB publishes SystemErrors and ThrottledRequests per operation only: each table's alarm sums
  # the operations the stores use (metric math allows ten metrics, which is all of them).
  table_alarms = merge([
    for key, table in var.tables : {
      for metric in ["SystemErrors", "ThrottledRequests"] : "table-${key}-${lower(metric)}" => {
        table       = table
        metric      = metric
        threshold   = metric == "SystemErrors" ? var.thresholds.table_system_errors : var.thresholds.table_throttled_requests
        description = metric == "SystemErrors" ? "DynamoDB answered ${table} with internal errors." : "Requests to ${table} were throttled (on-demand capacity limit or a hot key)."
      }
    }
  ]...)
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# CloudWatch (alarms) and AWS Budgets publish to the topic; nobody outside this account does.
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AlarmsAndBudgetsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_cloudwatch_metric_alarm" "simple" {
  for_each = local.simple_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = each.value.treat_missing
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns
}

# p99 latency needs an extended statistic; three bad periods in a row, so one slow cold start does
# not page anyone.
resource "aws_cloudwatch_metric_alarm" "api_latency" {
  alarm_name          = "${var.name}-api-latency-p99"
  alarm_description   = "The API's p99 latency stayed above ${var.thresholds.api_p99_latency_ms} ms for 15 minutes."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = local.api_dims
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.thresholds.api_p99_latency_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns
}

resource "aws_cloudwatch_metric_alarm" "table" {
  for_each = local.table_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns

  metric_query {
    id          = "total"
    expression  = "SUM(METRICS())"
    label       = "${each.value.metric} (all operations)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = var.table_operations
    content {
      id = "op${metric_query.key}"
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = each.value.metric
        dimensions  = { TableName = each.value.table, Operation = metric_query.value }
        stat        = "Sum"
        period      = 300
      }
    }
  }
}

# The scheduler's one structured line per terminal outcome (reservations.cluster.lambda_entry):
# {"message": "cycle finished", "status": "failed" | "refused" | ...} becomes a count.
resource "aws_cloudwatch_log_metric_filter" "cycle_failed" {
  for_each = var.scheduler_log_groups

  name           = "${var.name}-cluster-${each.key}-cycle-failed"
  log_group_name = each.value
  pattern        = var.cycle_failed_pattern

  metric_transformation {
    name      = "SchedulerCycleFailed"
    namespace = local.namespace
    value     = "1"
    unit      = "Count"
  }
}

# The stores' one structured line when a write meets damage (reservations.stores.damage):
# {"message": "store damage", "table": ..., "damage": ...} becomes a count, alarmed at the first.
resource "aws_cloudwatch_log_metric_filter" "store_damage" {
  for_each = var.api_log_groups

  name           = "${var.name}-${each.key}-store-damage"
  log_group_name = each.value
  pattern        = var.store_damage_pattern

  metric_transformation {
    name      = "StoreDamage"
    namespace = local.namespace
    value     = "1"
    unit      = "Count"
  }
}
