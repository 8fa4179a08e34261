output "queue_arn" {
  description = "The customers' queue."
  value       = aws_sqs_queue.customers.arn
}

output "dead_letter_queue_arn" {
  description = "Messages whose runs kept failing."
  value       = aws_sqs_queue.dead_letters.arn
}

output "schedule_expression" {
  description = "How often the sync runs."
  value       = aws_scheduler_schedule.sync.schedule_expression
}

output "conflicts_alarm_name" {
  description = "The alarm on conflicts between channels' calendars and our reservations."
  value       = aws_cloudwatch_metric_alarm.conflicts.alarm_name
}

output "invoke_policy" {
  description = "The schedule role's policy: lambda:InvokeFunction on the sync function's alias only."
  value       = data.aws_iam_policy_document.invoke.json
}
