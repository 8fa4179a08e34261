# Operating the deployment (docs/operating.md), on the complete example's values: every alarm that
# pages names its metric, its dimensions and the alarm topic; every function is published and
# invoked through its live alias, which a CodeDeploy group per function shifts by canary and rolls
# back on that function's alarms; the backup plan selects tables by tag only;
# crashed scheduler invocations reach the outcome topic; the execution log is managed; the synthetic
# check calls the edge. A second run proves the code-integrity postcondition can fail.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "operations_of_the_complete_example" {
  command = apply

  # --- Alarms -> one topic -------------------------------------------------------------------------
  assert {
    condition     = alltrue([for a in values(output.alarms) : a.actions == toset([output.alarm_topic_arn])])
    error_message = "Every alarm must notify the alarm topic, and only it."
  }
  assert {
    condition     = length(module.monitoring.topic_arn) > 0 && toset([for s in module.monitoring.subscriptions : s]) == toset(var.alarm_emails)
    error_message = "The alarm topic must have an e-mail subscription per alarm_emails entry."
  }
  assert {
    condition = (
      output.alarms["${var.name}-api-5xx"].metric == "5XXError" &&
      output.alarms["${var.name}-api-5xx"].namespace == "AWS/ApiGateway" &&
      output.alarms["${var.name}-api-5xx"].dimensions == tomap({ ApiName = var.name, Stage = var.stage_name }) &&
      output.alarms["${var.name}-api-latency-p99"].metric == "Latency" &&
      output.alarms["${var.name}-api-latency-p99"].statistic == "p99" &&
      output.alarms["${var.name}-api-latency-p99"].dimensions == tomap({ ApiName = var.name, Stage = var.stage_name })
    )
    error_message = "The API stage needs a 5XXError alarm and a p99 Latency alarm on its ApiName and Stage."
  }
  # Every function, the authorizer and the scheduler's included: Errors, Throttles, and Duration near its timeout.
  assert {
    condition = alltrue(flatten([
      for name, f in var.functions : [
        output.alarms["${var.name}-${name}-errors"].metric == "Errors",
        output.alarms["${var.name}-${name}-throttles"].metric == "Throttles",
        output.alarms["${var.name}-${name}-duration"].metric == "Duration",
        output.alarms["${var.name}-${name}-errors"].dimensions == tomap({ FunctionName = "${var.name}-${name}" }),
        output.alarms["${var.name}-${name}-throttles"].dimensions == tomap({ FunctionName = "${var.name}-${name}" }),
        output.alarms["${var.name}-${name}-duration"].dimensions == tomap({ FunctionName = "${var.name}-${name}" }),
        output.alarms["${var.name}-${name}-duration"].threshold == floor(f.timeout_s * 1000 * var.alarm_thresholds.duration_fraction_of_timeout),
      ]
    ]))
    error_message = "Each function needs Errors, Throttles and Duration (near its timeout) alarms on its FunctionName."
  }
  assert {
    condition = alltrue(flatten([
      for key, table in { registry = output.registry_table } : [
        for metric in ["SystemErrors", "ThrottledRequests"] :
        output.alarms["${var.name}-table-${key}-${lower(metric)}"].metric == metric &&
        output.alarms["${var.name}-table-${key}-${lower(metric)}"].dimensions == tomap({ TableName = table })
      ]
    ]))
    error_message = "The registry needs SystemErrors and ThrottledRequests alarms."
  }
  assert {
    condition = (
      output.alarms["${var.name}-dead-letters"].metric == "ApproximateNumberOfMessagesVisible" &&
      output.alarms["${var.name}-dead-letters"].dimensions == tomap({ QueueName = "${var.name}-cluster-scheduler-dlq" }) &&
      output.alarms["${var.name}-waf-blocked"].metric == "BlockedRequests" &&
      output.alarms["${var.name}-waf-blocked"].dimensions == tomap({ WebACL = "${var.name}-api", Region = var.region, Rule = "ALL" }) &&
      output.alarms["${var.name}-synthetic-check"].metric == "FailedInvocations" &&
      output.alarms["${var.name}-synthetic-check"].dimensions == tomap({ RuleName = "${var.name}-synthetic-check" })
    )
    error_message = "The dead-letter queue's depth, WAF's blocked requests and the synthetic check need alarms."
  }
  # No traffic is no error: every alarm here treats missing data as fine.
  assert {
    condition     = alltrue([for a in values(output.alarms) : a.treat_missing_data == "notBreaching"])
    error_message = "An alarm would fire on silence."
  }
  # The scheduler's failed or refused cycles, counted from its structured log line.
  assert {
    condition = alltrue([
      for direction in ["down", "up"] :
      module.monitoring.cycle_failed_filters[direction].log_group == "/aws/lambda/${var.name}-cluster-${direction}" &&
      strcontains(module.monitoring.cycle_failed_filters[direction].pattern, "$.message = \"cycle finished\"") &&
      strcontains(module.monitoring.cycle_failed_filters[direction].pattern, "$.status = \"failed\"") &&
      strcontains(module.monitoring.cycle_failed_filters[direction].pattern, "$.status = \"refused\"")
    ])
    error_message = "Both scheduler log groups need the failed/refused cycle filter."
  }
  assert {
    condition     = output.alarms["${var.name}-scheduler-cycle-failed"].metric == "SchedulerCycleFailed" && output.alarms["${var.name}-scheduler-cycle-failed"].namespace == "Reservations/${var.name}"
    error_message = "The cycle filter's metric must have an alarm."
  }
  # Damage a write met in a customer's table, counted from the stores' structured line.
  assert {
    condition = alltrue([
      for fn in ["add", "change", "delete"] :
      module.monitoring.store_damage_filters[fn].log_group == module.function[fn].log_group_name &&
      module.monitoring.store_damage_filters[fn].pattern == "{ $.message = \"store damage\" }"
    ]) && !contains(keys(module.monitoring.store_damage_filters), "authorizer")
    error_message = "Every API function's log group needs the store-damage filter (and only theirs)."
  }
  assert {
    condition     = output.alarms["${var.name}-store-damage"].metric == "StoreDamage" && output.alarms["${var.name}-store-damage"].threshold == 1
    error_message = "The store-damage filter's metric must alarm at the first line."
  }

  # --- Dashboard and budget ------------------------------------------------------------------------
  assert {
    condition     = length(module.monitoring.dashboard_rows) == 7 && alltrue([for i, prefix in ["Edge", "API", "Functions", "Tables", "Scheduler", "Cost", "Customers"] : startswith(module.monitoring.dashboard_rows[i], prefix)])
    error_message = "The dashboard needs one row per layer (edge, API, functions, tables, scheduler), the cost drivers, then the customers ranked."
  }
  # Every graph line is one metric: [namespace, metric name, dimension, value, ...].
  assert {
    condition = alltrue(flatten([
      for w in jsondecode(module.monitoring.dashboard_body).widgets : [
        for m in try(w.properties.metrics, []) : can(regex("^(AWS/|Reservations/)", m[0])) && can(m[1])
      ]
    ]))
    error_message = "A dashboard graph has a metric that is not [namespace, name, dimensions...]."
  }
  assert {
    condition = alltrue([for t in [output.registry_table] :
      strcontains(module.monitoring.dashboard_body, "\"ConsumedWriteCapacityUnits\",\"TableName\",\"${t}\"")
    ])
    error_message = "The dashboard must show every table's consumed capacity."
  }
  assert {
    condition     = module.monitoring.budget.limit_usd == "300.00" && module.monitoring.budget.alert_thresholds == toset([80, 100])
    error_message = "The budget must have the monthly limit and alert at 80 % and 100 %."
  }

  # --- Safe deploys --------------------------------------------------------------------------------
  assert {
    condition     = alltrue([for name, f in module.function : f.alias_name == "live" && f.alias_arn != ""])
    error_message = "Every function needs its live alias."
  }
  assert {
    condition = alltrue([
      for key, uri in module.rest_api.integration_uris : uri == module.function[output.routes[key]].alias_invoke_arn
    ]) && alltrue([for uri in values(module.rest_api.authorizer_uris) : uri == module.function[local.authorizer_function].alias_invoke_arn])
    error_message = "API Gateway integrations and authorizers must invoke the live alias."
  }
  assert {
    condition     = alltrue([for q in values(module.rest_api.invoke_permission_qualifiers) : q == "live"])
    error_message = "The invoke permissions must be granted on the live alias."
  }
  assert {
    condition = module.cluster_scheduler.schedule_targets == {
      down = module.function["cluster-down"].alias_arn
      up   = module.function["cluster-up"].alias_arn
    }
    error_message = "The schedules must invoke the scheduler functions' live alias."
  }
  assert {
    condition = alltrue([
      for name in keys(var.functions) :
      module.deployment.deployment_groups[name].config == var.deployment_config &&
      module.deployment.deployment_groups[name].alarms == toset(["${var.name}-${name}-errors", "${var.name}-${name}-throttles", "${var.name}-${name}-duration"]) &&
      contains(module.deployment.deployment_groups[name].rollback_events, "DEPLOYMENT_STOP_ON_ALARM")
    ])
    error_message = "Each function needs a deployment group shifting by the canary config and rolling back on its own alarms."
  }
  assert {
    condition = alltrue([
      for name, d in output.function_deployments :
      jsondecode(d.appspec).Resources[0]["${var.name}-${name}"].Properties.Alias == "live" &&
      jsondecode(d.appspec).Resources[0]["${var.name}-${name}"].Properties.TargetVersion == module.function[name].version
    ])
    error_message = "Each function's AppSpec must move live to the version published last."
  }
  assert {
    condition     = alltrue([for name, f in module.function : f.code_sha256 == var.lambda_builds[name].source_code_hash])
    error_message = "The deployed code must be the recorded build."
  }

  # --- Backups -------------------------------------------------------------------------------------
  assert {
    condition     = length(module.backup.plan.tables) == 0
    error_message = "The backup plan must list no table ARN (500 a selection at most): it selects by tag."
  }
  # Customer tables carry the tag from `reservations tenants create` (a restored copy from its source).
  assert {
    condition     = module.backup.plan.selection_tags == { "reservations/backup" = var.name } && module.registry_table.tags["reservations/backup"] == var.name
    error_message = "The plan must select by the backup tag, which the registry carries."
  }
  assert {
    condition     = module.backup.plan.retention_days == var.backup.retention_days && module.backup.plan.copy_to == [var.backup.copy_vault_arn]
    error_message = "The backup plan must keep recovery points as configured and copy them to the second region's vault."
  }

  # --- Failure paths -------------------------------------------------------------------------------
  assert {
    condition     = module.cluster_scheduler.failure_destinations == { down = output.scheduler_topic_arn, up = output.scheduler_topic_arn }
    error_message = "A crashed or timed-out scheduler invocation must go to the outcome topic."
  }

  # --- Logs and the synthetic check ----------------------------------------------------------------
  assert {
    condition     = module.rest_api.execution_log_group_name == "API-Gateway-Execution-Logs_${output.api_id}/${var.stage_name}" && output.api_id == "a1b2c3d4e5"
    error_message = "The stage's execution log group must be managed (retention, KMS)."
  }
  assert {
    condition     = module.rest_api.log_retention == { access = var.log_retention.access, execution = var.log_retention.access, waf = var.log_retention.audit }
    error_message = "API logs must be kept per class: access and execution as access logs, WAF as audit."
  }
  assert {
    condition     = module.function["list"].log_retention_days == var.log_retention.function
    error_message = "Function logs must be kept as the function class says."
  }
  assert {
    condition = module.synthetic_check[0].endpoints == {
      healthz = "${var.synthetic_check.edge_url}/healthz"
      list    = "${var.synthetic_check.edge_url}/api/reservations"
    }
    error_message = "The synthetic check must call the edge's /healthz and the list route through /api."
  }
  assert {
    condition     = module.synthetic_check[0].schedule == { expression = var.synthetic_check.schedule, timezone = var.cluster_schedule.timezone, state = "ENABLED" }
    error_message = "The synthetic check must run on its schedule in the cluster's time zone."
  }
  assert {
    condition     = module.synthetic_check[0].target_dead_letter_queues == { healthz = module.synthetic_check[0].failures_queue_arn, list = module.synthetic_check[0].failures_queue_arn }
    error_message = "Each check's failed call must land in the failures queue, with the reason."
  }
}

# Without WAF, a check or a copy region, their alarms and copies are simply absent.
run "without_waf_check_or_copy" {
  command   = apply
  state_key = "ops-minimal"

  variables {
    enable_waf      = false
    synthetic_check = null
    backup          = { retention_days = 35 }
  }

  assert {
    condition     = !contains(keys(output.alarms), "${var.name}-waf-blocked") && !contains(keys(output.alarms), "${var.name}-synthetic-check")
    error_message = "No WAF and no check must mean no alarm on them."
  }
  assert {
    condition     = module.backup.plan.copy_to == [] && module.backup.plan.retention_days == 35
    error_message = "Without a copy vault nothing is copied."
  }
  assert {
    condition     = output.synthetic_check_connection == null
    error_message = "No check, no connection."
  }
}

# A zip in S3 that is not the recorded build (same key, other bytes) fails the apply: the
# lambda_function module on its own, Lambda reporting another sha256 than the build's.
run "a_swapped_artifact_fails_the_apply" {
  command   = apply
  state_key = "swapped-artifact"

  module {
    source = "../lambda_function"
  }

  variables {
    function_name    = "reservations-list"
    handler          = "reservations.functions.list.handler"
    s3_bucket        = "reservations-artifacts-123456789012"
    s3_key           = "functions/list/list-42.zip"
    source_code_hash = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    role_arn         = "arn:aws:iam::123456789012:role/reservations-app"
    kms_key_arn      = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  }

  override_resource {
    target = aws_lambda_function.this
    values = { code_sha256 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }
  }

  expect_failures = [aws_lambda_function.this]
}

# The same module with Lambda reporting the build's own sha256 applies.
run "the_recorded_artifact_applies" {
  command   = apply
  state_key = "recorded-artifact"

  module {
    source = "../lambda_function"
  }

  variables {
    function_name    = "reservations-list"
    handler          = "reservations.functions.list.handler"
    s3_bucket        = "reservations-artifacts-123456789012"
    s3_key           = "functions/list/list-42.zip"
    source_code_hash = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    role_arn         = "arn:aws:iam::123456789012:role/reservations-app"
    kms_key_arn      = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  }

  override_resource {
    target = aws_lambda_function.this
    values = { code_sha256 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" }
  }

  assert {
    condition     = output.code_sha256 == var.source_code_hash && output.alias_name == "live"
    error_message = "The recorded build must deploy, behind its live alias."
  }
}
