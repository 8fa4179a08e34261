output "topic_arn" {
  description = "SNS topic every alarm and the budget notify (subscribe a ChatOps endpoint here)."
  value       = aws_sns_topic.alarms.arn
}

output "alarms" {
  description = "Every alarm by name: namespace, metric, statistic, dimensions (per metric for the tables' sums), threshold, missing-data treatment and actions."
  value = merge(
    { for key, a in aws_cloudwatch_metric_alarm.simple : a.alarm_name => {
      namespace = a.namespace, metric = a.metric_name, statistic = a.statistic, dimensions = a.dimensions
      threshold = a.threshold, treat_missing_data = a.treat_missing_data, actions = a.alarm_actions
    } },
    { (aws_cloudwatch_metric_alarm.api_latency.alarm_name) = {
      namespace = aws_cloudwatch_metric_alarm.api_latency.namespace, metric = aws_cloudwatch_metric_alarm.api_latency.metric_name
      statistic = aws_cloudwatch_metric_alarm.api_latency.extended_statistic, dimensions = aws_cloudwatch_metric_alarm.api_latency.dimensions
      threshold = aws_cloudwatch_metric_alarm.api_latency.threshold, treat_missing_data = aws_cloudwatch_metric_alarm.api_latency.treat_missing_data
      actions   = aws_cloudwatch_metric_alarm.api_latency.alarm_actions
    } },
    { for key, a in aws_cloudwatch_metric_alarm.table : a.alarm_name => {
      namespace  = "AWS/DynamoDB", metric = local.table_alarms[key].metric, statistic = "Sum"
      dimensions = tomap({ TableName = local.table_alarms[key].table })
      threshold  = a.threshold, treat_missing_data = a.treat_missing_data, actions = a.alarm_actions
    } },
  )
}

output "function_alarm_names" {
  description = "The alarms of each function (errors, throttles, duration), by catalogue name: what rolls its deployment back."
  value = {
    for fn in keys(var.functions) : fn => [
      for key, a in aws_cloudwatch_metric_alarm.simple : a.alarm_name if local.simple_alarms[key].function == fn
    ]
  }
}

output "cycle_failed_filters" {
  description = "The metric filter on each scheduler log group: its pattern and the metric it counts."
  value = { for direction, f in aws_cloudwatch_log_metric_filter.cycle_failed : direction => {
    log_group = f.log_group_name, pattern = f.pattern, metric = "${local.namespace}/SchedulerCycleFailed"
  } }
}

output "store_damage_filters" {
  description = "The metric filter on each API function's log group: its pattern and the metric it counts."
  value = { for fn, f in aws_cloudwatch_log_metric_filter.store_damage : fn => {
    log_group = f.log_group_name, pattern = f.pattern, metric = "${local.namespace}/StoreDamage"
  } }
}

output "store_attempts_filters" {
  description = "The metric filters adding up every customer's throttled and failed DynamoDB attempts, by <function>-<throttles|errors>: log group, pattern, the value counted and the metric."
  value = { for key, f in aws_cloudwatch_log_metric_filter.store_attempts : key => {
    log_group = f.log_group_name, pattern = f.pattern, value = f.metric_transformation[0].value
    metric    = "${local.namespace}/${f.metric_transformation[0].name}"
  } }
}

output "contributor_insight_rules" {
  description = "The Contributor Insights rules ranking customers, by rule name: their JSON definition."
  value       = { for rule in aws_cloudwatch_contributor_insight_rule.customers : rule.rule_name => rule.rule_definition }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_rows" {
  description = "Title of each dashboard row, top to bottom."
  value       = concat([for row in local.rows : row.title], [local.customers_row])
}

output "budget" {
  description = "Name, monthly limit (USD) and alert percentages of the budget."
  value = {
    name             = aws_budgets_budget.monthly.name
    limit_usd        = aws_budgets_budget.monthly.limit_amount
    alert_thresholds = toset([for n in aws_budgets_budget.monthly.notification : n.threshold if n.notification_type == "ACTUAL"])
  }
}

output "subscriptions" {
  description = "E-mail addresses subscribed to the alarm topic."
  value       = [for s in aws_sns_topic_subscription.email : s.endpoint]
}

output "dashboard_body" {
  description = "The dashboard's JSON body (widgets: a title line, then the graphs of each row)."
  value       = aws_cloudwatch_dashboard.this.dashboard_body
}
