# The cost scheduler's timetable: EventBridge Scheduler starts the "down" and "up" functions at the
# configured times in the configured time zone, and each function switches its own follow-up
# schedule on while a step is in progress (nodegroups deleting, a Terraform Cloud run applying) and
# off when done, so no invocation ever waits for AWS or Terraform Cloud.  Outcomes go to SNS.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  directions = toset(["down", "up"])
  # Names are computed, not read back from resources, because the functions' environment names
  # their follow-up schedule while the schedule targets the function.
  followup_names = { for d in local.directions : d => "${var.name}-cluster-${d}-follow-up" }
  group_name     = "${var.name}-cluster"
  followup_arns = {
    for d, n in local.followup_names :
    d => "arn:${data.aws_partition.current.partition}:scheduler:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:schedule/${local.group_name}/${n}"
  }
  invoke_role_name = "${var.name}-cluster-scheduler"
}

resource "aws_sns_topic" "outcomes" {
  name              = "${var.name}-cluster-scheduler"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.notification_emails)

  topic_arn = aws_sns_topic.outcomes.arn
  protocol  = "email"
  endpoint  = each.value
}

# Invocations EventBridge Scheduler could not deliver after its retries land here.
resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name}-cluster-scheduler-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
}

resource "aws_scheduler_schedule_group" "this" {
  name = local.group_name
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "invoke" {
  name               = local.invoke_role_name
  description        = "EventBridge Scheduler invokes the cluster down/up functions"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "InvokeTheTwoFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = values(var.function_arns)
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  statement {
    sid       = "EncryptedDeadLetters"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "invoke" {
  name   = "invoke"
  role   = aws_iam_role.invoke.id
  policy = data.aws_iam_policy_document.invoke.json
}

# The daily start of each direction.
resource "aws_scheduler_schedule" "start" {
  #checkov:skip=CKV_AWS_297:The input is a constant ({"phase", "trigger"}), nothing to protect; a customer key would also have to be repeated in every UpdateSchedule the functions make to switch their follow-up.
  for_each = local.directions

  name                         = "${var.name}-cluster-${each.key}"
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Starts the cluster ${each.key} step"
  schedule_expression          = each.key == "down" ? var.schedule.down : var.schedule.up
  schedule_expression_timezone = var.schedule.timezone
  state                        = var.schedule.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.function_arns[each.key]
    role_arn = aws_iam_role.invoke.arn
    input    = jsonencode({ phase = "start", trigger = "schedule" })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letters.arn
    }
  }
}

# The follow-up of each direction: created off; the function enables it while its step is in
# progress and disables it once done, so Terraform ignores the state the function sets.
resource "aws_scheduler_schedule" "follow_up" {
  #checkov:skip=CKV_AWS_297:The input is a constant ({"phase", "trigger"}), nothing to protect; a customer key would also have to be repeated in every UpdateSchedule the functions make to switch their follow-up.
  for_each = local.directions

  name                         = local.followup_names[each.key]
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Re-invokes the cluster ${each.key} step until it is done (switched by the function)"
  schedule_expression          = "rate(${var.schedule.follow_up_minutes} ${var.schedule.follow_up_minutes == 1 ? "minute" : "minutes"})"
  schedule_expression_timezone = var.schedule.timezone
  state                        = "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.function_arns[each.key]
    role_arn = aws_iam_role.invoke.arn
    input    = jsonencode({ phase = "follow-up", trigger = "schedule" })

    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 300
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letters.arn
    }
  }

  lifecycle {
    ignore_changes = [state]
  }
}

# What happens after the schedule delivered the event: an invocation that crashes or times out
# (the handler itself never raises) is not retried, since the follow-up schedule calls again anyway,
# and its record goes to the outcomes topic, so a dead function reaches the same people as a
# failed cycle.
resource "aws_lambda_function_event_invoke_config" "this" {
  for_each = local.directions

  function_name                = var.function_names[each.key]
  qualifier                    = var.function_alias
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sns_topic.outcomes.arn
    }
  }
}
