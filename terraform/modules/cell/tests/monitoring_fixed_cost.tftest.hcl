# Monitoring at a fixed cost (issue #23, goal 4; docs/scaling.md): on the complete example's values,
# the alarms are per function plus a fixed set (every customer's table is watched by two alarms on
# aggregate metrics, none per customer), three Contributor Insights rules rank the customers from
# the API functions' request lines, in valid rule syntax, and the dashboard graphs and links them.
# tests/functions/test_store_attempts.py renders the rules against a real request line.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  # What CloudWatch accepts in a Contributor Insights rule (ContributorInsights-RuleSyntax).
  rule_operators = ["In", "NotIn", "StartsWith", "GreaterThan", "LessThan", "EqualTo", "NotEqualTo", "IsPresent"]
  # The request line's keys (reservations.functions.http), the only ones a rule may read.
  request_line_keys = ["$.message", "$.customer", "$.status", "$.duration_ms", "$.store_throttles", "$.store_errors"]
}

run "monitoring_has_a_fixed_number_of_alarms_and_rules" {
  command = plan

  assert {
    condition = toset([for name in keys(output.alarms) : trimprefix(name, "${var.name}-") if length([for fn in keys(var.functions) : fn if startswith(name, "${var.name}-${fn}-")]) == 0]) == toset([
      "api-5xx", "api-latency-p99", "dead-letters", "store-damage", "store-throttles", "store-errors",
      "scheduler-cycle-failed", "waf-blocked", "synthetic-check",
      "table-registry-systemerrors", "table-registry-throttledrequests",
    ])
    error_message = "Besides each function's three, the alarms must be the fixed set (two for every customer's table together, none per customer)."
  }
  assert {
    condition     = length(output.alarms) == 3 * length(var.functions) + 11
    error_message = "Three alarms a function and eleven others: nothing else may add an alarm."
  }
  assert {
    condition = alltrue([for kind, metric in { throttles = "StoreThrottles", errors = "StoreErrors" } :
      output.alarms["${var.name}-store-${kind}"].metric == metric &&
      output.alarms["${var.name}-store-${kind}"].namespace == "Reservations/${var.name}" &&
      length(output.alarms["${var.name}-store-${kind}"].dimensions) == 0
    ])
    error_message = "The store alarms must watch the aggregate metrics, with no dimension (no customer)."
  }
  assert {
    condition = length(module.monitoring.store_attempts_filters) == 2 * length([for f in values(var.functions) : f if f.kind == "api"]) && alltrue([
      for key, f in module.monitoring.store_attempts_filters :
      contains(var.request_line_keys, f.value) && strcontains(f.pattern, "$.message = \"request\"") &&
      strcontains(f.pattern, "${f.value} > 0") && contains(["Reservations/${var.name}/StoreThrottles", "Reservations/${var.name}/StoreErrors"], f.metric)
    ])
    error_message = "Each API function's log group needs the two store-attempt filters, on the request line's counts."
  }
}

run "contributor_insights_rules_rank_customers_in_valid_syntax" {
  command = plan

  assert {
    condition = toset(keys(module.monitoring.contributor_insight_rules)) == toset([
      for rule in ["errors", "store-throttles", "slow-requests"] : "${var.name}-customers-by-${rule}"
    ])
    error_message = "Three rules: the customers by errors, by store throttles, by slow requests."
  }
  assert {
    condition = alltrue([for name, body in module.monitoring.contributor_insight_rules : (
      jsondecode(body).Schema == { Name = "CloudWatchLogRule", Version = 1 } &&
      jsondecode(body).LogFormat == "JSON" &&
      contains(["Count", "Sum"], jsondecode(body).AggregateOn) &&
      (jsondecode(body).AggregateOn == "Sum") == can(jsondecode(body).Contribution.ValueOf) &&
      jsondecode(body).Contribution.Keys == ["$.customer"] &&
      length(jsondecode(body).Contribution.Filters) <= 4 &&
      alltrue([for f in jsondecode(body).Contribution.Filters :
        contains(var.request_line_keys, f.Match) && length(setsubtract(keys(f), ["Match"])) == 1 &&
        contains(var.rule_operators, one(setsubtract(keys(f), ["Match"])))
      ]) &&
      contains(var.request_line_keys, try(jsondecode(body).Contribution.ValueOf, "$.message")) &&
      length(body) <= 8192
    )])
    error_message = "Every rule must be Contributor Insights syntax reading the request line's keys, keyed by customer."
  }
  assert {
    condition = alltrue([for body in values(module.monitoring.contributor_insight_rules) :
      toset(jsondecode(body).LogGroupNames) == toset([for name, f in var.functions : "/aws/lambda/${var.name}-${name}" if f.kind == "api"])
    ])
    error_message = "The rules must read the API functions' log groups, and only them."
  }
  assert {
    condition = toset([for w in jsondecode(module.monitoring.dashboard_body).widgets : w.properties.insightRule.ruleName if can(w.properties.insightRule)]) == toset(keys(module.monitoring.contributor_insight_rules)) && alltrue([
      for name in keys(module.monitoring.contributor_insight_rules) : strcontains(module.monitoring.dashboard_body, "`${name}`")
    ])
    error_message = "The dashboard must graph each rule's top customers and name each rule beside the link to them."
  }
  assert {
    condition     = length(jsondecode(module.monitoring.dashboard_body).widgets) <= 40 && startswith(module.monitoring.dashboard_rows[length(module.monitoring.dashboard_rows) - 1], "Customers")
    error_message = "The dashboard stays a fixed size, its last row the customers'."
  }
}
