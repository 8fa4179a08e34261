# Every customer's table at a fixed cost (issue #23, goal 4; docs/scaling.md, "Monitoring cost").
#
# DynamoDB publishes SystemErrors and ThrottledRequests per table and operation only: alarming on
# them costs a metric per table, operation and alarm ($1.20 a customer a month, and 20,000 alarms at
# 10,000 customers). So the API functions count them instead: each request's line
# ({"message": "request", "customer", "status", "duration_ms", "store_throttles", "store_errors"};
# reservations.functions.http) carries how many of its DynamoDB attempts were throttled or failed,
# retried ones included. Metric filters without a dimension add those up over every customer into
# two metrics (StoreThrottles, StoreErrors) that two alarms watch (main.tf), and Contributor Insights
# rules rank the customers on the same lines: billed per rule and per matched line, not per customer.

locals {
  # The request line's keys the filters and rules read: tests/functions/test_store_attempts.py
  # renders a real function's line and checks each rule against it.
  store_metrics = {
    throttles = { metric = "StoreThrottles", field = "store_throttles" }
    errors    = { metric = "StoreErrors", field = "store_errors" }
  }
  store_filters = merge([
    for fn, group in var.api_log_groups : {
      for kind, m in local.store_metrics : "${fn}-${kind}" => merge(m, { function = fn, log_group = group })
    }
  ]...)

  # The three rankings: who gets server errors, whose table DynamoDB throttles, whose requests are
  # slow. Each matches only the lines it counts (a few per cent of requests), which is what it costs.
  insight_rules = {
    for rule in ["customers-by-errors", "customers-by-store-throttles", "customers-by-slow-requests"] :
    rule => jsonencode(jsondecode(templatefile("${path.module}/rules/${rule}.json.tftpl", {
      log_groups      = sort(values(var.api_log_groups))
      slow_request_ms = var.slow_request_ms
    })))
  }
}

resource "aws_cloudwatch_log_metric_filter" "store_attempts" {
  for_each = local.store_filters

  name           = "${var.name}-${each.key}"
  log_group_name = each.value.log_group
  pattern        = "{ $.message = \"request\" && $.${each.value.field} > 0 }"

  metric_transformation {
    name      = each.value.metric
    namespace = local.namespace
    value     = "$.${each.value.field}"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_contributor_insight_rule" "customers" {
  for_each = length(var.api_log_groups) == 0 ? {} : local.insight_rules

  rule_name       = "${var.name}-${each.key}"
  rule_state      = "ENABLED"
  rule_definition = each.value
}
