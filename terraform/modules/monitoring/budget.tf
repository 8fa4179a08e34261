# The month's spend against a limit: mail and the alarm topic at 80 % and 100 % of actual spend, and
# when the month is forecast to exceed the limit.
resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.budget.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # With the provider's default tag project=<value> activated as a cost allocation tag, the budget
  # counts this deployment only; otherwise the whole account.
  dynamic "cost_filter" {
    for_each = var.budget.cost_allocation_tag == null ? [] : [var.budget.cost_allocation_tag]
    content {
      name   = "TagKeyValue"
      values = [format("user:%s$%s", cost_filter.value.key, cost_filter.value.value)]
    }
  }

  dynamic "notification" {
    for_each = { for t in var.budget.alert_thresholds_percent : "actual-${t}" => { threshold = t, type = "ACTUAL" } }
    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.value.type
      subscriber_email_addresses = var.alarm_emails
      subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
    }
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = var.alarm_emails
    subscriber_sns_topic_arns  = [aws_sns_topic.alarms.arn]
  }
}
