output "rule_name" {
  description = "EventBridge rule whose failed invocations mean the check failed."
  value       = aws_cloudwatch_event_rule.this.name
}

output "connection_name" {
  description = "Connection holding the check's API key (set it with aws events update-connection)."
  value       = aws_cloudwatch_event_connection.edge.name
}

output "endpoints" {
  description = "What the check calls, by name (healthz, list)."
  value       = { for k, d in aws_cloudwatch_event_api_destination.this : k => d.invocation_endpoint }
}

output "schedule" {
  description = "The check's schedule expression, time zone and state."
  value = {
    expression = aws_scheduler_schedule.this.schedule_expression
    timezone   = aws_scheduler_schedule.this.schedule_expression_timezone
    state      = aws_scheduler_schedule.this.state
  }
}

output "failures_queue_name" {
  description = "Queue receiving each failed call with its ERROR_CODE and ERROR_MESSAGE."
  value       = aws_sqs_queue.failures.name
}

output "failures_queue_arn" {
  description = "ARN of the failures queue (every target's dead-letter queue)."
  value       = aws_sqs_queue.failures.arn
}

output "target_dead_letter_queues" {
  description = "Dead-letter queue of each target (healthz, list)."
  value       = { for k, t in aws_cloudwatch_event_target.this : k => one(t.dead_letter_config[*].arn) }
}
