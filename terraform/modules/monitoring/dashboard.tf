# One dashboard, one row per layer from the outside in (edge, API, functions, tables, scheduler),
# then what drives the bill. Each row is a title and up to four graphs; rows are stacked in order.

locals {
  fn_names = [for f in values(var.functions) : f.function_name]
  per_fn   = { for metric in ["Invocations", "Errors", "Throttles", "ConcurrentExecutions"] : metric => [for n in local.fn_names : ["AWS/Lambda", metric, "FunctionName", n]] }
  per_table = {
    for metric in ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"] :
    metric => [for t in values(var.tables) : ["AWS/DynamoDB", metric, "TableName", t]]
  }
  table_problems = [
    for pair in setproduct(values(var.tables), ["ReadThrottleEvents", "WriteThrottleEvents"]) : ["AWS/DynamoDB", pair[1], "TableName", pair[0]]
  ]
  api = { for m in ["Count", "4XXError", "5XXError", "Latency", "IntegrationLatency"] : m => ["AWS/ApiGateway", m, "ApiName", var.api_name, "Stage", var.stage_name] }

  rows = [
    {
      title = "Edge: WAF in front of the API, and the morning's synthetic check"
      graphs = concat(
        var.web_acl_name == null ? [] : [{
          title   = "WAF requests", stat = "Sum"
          metrics = [for m in ["AllowedRequests", "BlockedRequests", "CountedRequests"] : ["AWS/WAFV2", m, "WebACL", var.web_acl_name, "Region", local.region, "Rule", "ALL"]]
        }],
        var.synthetic_check_rule_name == null ? [] : [{
          title   = "Synthetic check (edge /healthz, one list)", stat = "Sum"
          metrics = [for m in ["Invocations", "FailedInvocations"] : ["AWS/Events", m, "RuleName", var.synthetic_check_rule_name]]
        }],
      )
    },
    {
      title = "API: ${var.api_name}/${var.stage_name}"
      graphs = [
        { title = "Requests", stat = "Sum", metrics = [local.api["Count"]] },
        { title = "4xx and 5xx", stat = "Sum", metrics = [local.api["4XXError"], local.api["5XXError"]] },
        { title = "Latency p50 / p99, integration p99 (ms)", stat = "p99", metrics = [
          concat(local.api["Latency"], [{ stat = "p50" }]),
          concat(local.api["Latency"], [{ stat = "p99" }]),
          concat(local.api["IntegrationLatency"], [{ stat = "p99" }]),
        ] },
      ]
    },
    {
      title = "Functions (every function, the authorizer and the scheduler's included)"
      graphs = [
        { title = "Errors", stat = "Sum", metrics = local.per_fn["Errors"] },
        { title = "Throttles", stat = "Sum", metrics = local.per_fn["Throttles"] },
        { title = "Duration p99 (ms)", stat = "p99", metrics = [for n in local.fn_names : ["AWS/Lambda", "Duration", "FunctionName", n]] },
        { title = "Concurrent executions", stat = "Maximum", metrics = local.per_fn["ConcurrentExecutions"] },
      ]
    },
    {
      title = "Tables: the registry, and every customer's together"
      graphs = [
        { title = "Read/write throttle events", stat = "Sum", metrics = local.table_problems },
        { title = "Successful request latency (ms)", stat = "Average", metrics = [for t in values(var.tables) : ["AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", t, "Operation", "Query"]] },
        { title = "Every customer's table: throttled and failed attempts", stat = "Sum", metrics = [for m in values(local.store_metrics) : [local.namespace, m.metric]] },
      ]
    },
    {
      title = "Scheduler: the cluster torn down at night and rebuilt in the morning"
      graphs = [
        { title = "Failed or refused cycles", stat = "Sum", metrics = [[local.namespace, "SchedulerCycleFailed"]] },
        { title = "Undelivered invocations (dead-letter queue)", stat = "Maximum", metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dead_letter_queue_name]] },
        { title = "Scheduler runs", stat = "Sum", metrics = [for n in values(var.scheduler_function_names) : ["AWS/Lambda", "Invocations", "FunctionName", n]] },
      ]
    },
    {
      title = "Cost drivers: what the bill is made of (on-demand tables, per-request functions and API)"
      graphs = [
        { title = "Function invocations", stat = "Sum", metrics = local.per_fn["Invocations"] },
        { title = "Consumed read capacity", stat = "Sum", metrics = local.per_table["ConsumedReadCapacityUnits"] },
        { title = "Consumed write capacity", stat = "Sum", metrics = local.per_table["ConsumedWriteCapacityUnits"] },
        { title = "API requests (billed per million)", stat = "Sum", metrics = [local.api["Count"]] },
      ]
    },
  ]

  # The last row ranks customers (customers.tf): a graph of each Contributor Insights rule's top
  # ten, and links to the rules, where any customer's own series can be looked up. Fixed in size
  # whatever the number of customers.
  customers_row = "Customers: the ten with the most errors, store throttles and slow requests (Contributor Insights)"
  customers_y   = length(local.rows) * 7
  rules_url     = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#contributor-insights:rules"
  customer_widgets = concat(
    [{
      type = "text", x = 0, y = local.customers_y, width = 24, height = 2
      properties = { markdown = join("\n", [
        "## ${local.customers_row}",
        "Rules (ranked over the API functions' request lines; [all rules](${local.rules_url})): ${join(", ", [for rule in keys(aws_cloudwatch_contributor_insight_rule.customers) : "`${var.name}-${rule}`"])}",
      ]) }
    }],
    [for j, rule in keys(aws_cloudwatch_contributor_insight_rule.customers) : {
      type = "metric", x = j * 8, y = local.customers_y + 2, width = 8, height = 6
      properties = {
        title       = "Top customers: ${trimprefix(rule, "customers-")}"
        region      = local.region
        period      = 300
        view        = "timeSeries"
        stacked     = false
        legend      = { position = "bottom" }
        insightRule = { maxContributorCount = 10, orderBy = "Sum", ruleName = aws_cloudwatch_contributor_insight_rule.customers[rule].rule_name }
      }
    }],
  )

  # Each row: a one-line title (height 1) then its graphs (height 6, 6 columns each of 24).
  widgets = flatten([
    for i, row in local.rows : concat(
      [{
        type       = "text", x = 0, y = i * 7, width = 24, height = 1
        properties = { markdown = "## ${row.title}" }
      }],
      [for j, g in row.graphs : {
        type = "metric", x = j * 6, y = i * 7 + 1, width = 6, height = 6
        properties = {
          title   = g.title
          region  = local.region
          stat    = g.stat
          period  = 300
          view    = "timeSeries"
          stacked = false
          metrics = g.metrics
        }
      }],
    )
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = concat(local.widgets, local.customer_widgets) })
}
