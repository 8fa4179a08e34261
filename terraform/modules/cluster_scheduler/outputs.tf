output "topic_arn" {
  description = "SNS topic the functions publish each outcome to (RESERVATIONS_NOTIFY_TOPIC_ARN)."
  value       = aws_sns_topic.outcomes.arn
}

output "schedule_group_name" {
  description = "Schedule group holding every schedule (RESERVATIONS_FOLLOWUP_SCHEDULE_GROUP)."
  value       = aws_scheduler_schedule_group.this.name
}

output "followup_schedule_names" {
  description = "Follow-up schedule of each direction (RESERVATIONS_FOLLOWUP_SCHEDULE of that function)."
  value       = local.followup_names
}

output "followup_schedule_arns" {
  description = "ARNs of the follow-up schedules, by direction."
  value       = local.followup_arns
}

output "invoke_role_arn" {
  description = "Role EventBridge Scheduler invokes the functions with (the functions pass it when they update their follow-up schedule)."
  value       = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.invoke_role_name}"
}

output "dead_letter_queue_arn" {
  description = "Queue receiving invocations the scheduler could not deliver."
  value       = aws_sqs_queue.dead_letters.arn
}

output "schedule_states" {
  description = "State (ENABLED/DISABLED) of the down and up schedules."
  value       = { for direction, s in aws_scheduler_schedule.start : direction => s.state }
}
