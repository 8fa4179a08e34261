# The channel sync in AWS: EventBridge Scheduler calls the function every 15 minutes; it hands the
# active customers to this queue, ten to a message, and the queue calls it back a few messages at a
# time, so a run never grows with the number of customers.  A message whose run fails is retried,
# then kept in the dead-letter queue; a conflict (a night a channel sold that we sold too) is a
# "channel sync" log line, counted by a metric filter and alarmed on.

data "aws_caller_identity" "current" {}

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.queue_name}-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "customers" {
  name                       = var.queue_name
  kms_master_key_id          = var.kms_key_arn
  visibility_timeout_seconds = var.function_timeout_s * 6 # AWS's advice for a queue a function reads
  message_retention_seconds  = 3600                       # a batch older than the next run's is moot
  redrive_policy             = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dead_letters.arn, maxReceiveCount = 3 })
}

resource "aws_lambda_event_source_mapping" "customers" {
  event_source_arn = aws_sqs_queue.customers.arn
  function_name    = var.function_arn
  batch_size       = var.messages_per_run

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }
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
  name               = "${var.name}-channel-sync-invoke"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# Least privilege: the schedule may invoke the sync function's alias and nothing else.
data "aws_iam_policy_document" "invoke" {
  statement {
    actions   = ["lambda:InvokeFunction"]
    resources = [var.function_arn]
  }
}

resource "aws_iam_role_policy" "invoke" {
  name   = "invoke-channel-sync"
  role   = aws_iam_role.invoke.id
  policy = data.aws_iam_policy_document.invoke.json
}

resource "aws_scheduler_schedule" "sync" {
  #checkov:skip=CKV_AWS_297:The input is a constant ({}), nothing to protect.
  name                = "${var.name}-channel-sync"
  description         = "Fetches every room's imported channel calendars"
  schedule_expression = var.schedule_expression

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.function_arn
    role_arn = aws_iam_role.invoke.arn
    input    = jsonencode({})

    retry_policy {
      maximum_retry_attempts       = 1
      maximum_event_age_in_seconds = 600 # the next run is 15 minutes away
    }
  }
}

resource "aws_cloudwatch_log_metric_filter" "conflicts" {
  name           = "${var.name}-channel-sync-conflicts"
  log_group_name = var.log_group_name
  pattern        = "{ $.message = \"channel sync\" && $.conflicts > 0 }"

  metric_transformation {
    name      = "ChannelSyncConflicts"
    namespace = var.metric_namespace
    value     = "$.conflicts"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "conflicts" {
  alarm_name          = "${var.name}-channel-sync-conflicts"
  alarm_description   = "A channel's calendar claims a night we already sold: a double booking on the channel's side. The room's sync status names the nights (docs/channels.md)."
  namespace           = var.metric_namespace
  metric_name         = "ChannelSyncConflicts"
  statistic           = "Sum"
  period              = 900
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  ok_actions          = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
}
