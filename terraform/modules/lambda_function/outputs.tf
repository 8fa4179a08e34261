output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the unqualified function ($LATEST); callers use alias_invoke_arn."
  value       = aws_lambda_function.this.invoke_arn
}

output "alias_name" {
  description = "Name of the alias callers invoke (live)."
  value       = aws_lambda_alias.live.name
}

output "alias_arn" {
  description = "ARN of the live alias: what schedules and permissions name."
  value       = aws_lambda_alias.live.arn
}

output "alias_invoke_arn" {
  description = "Invoke ARN of the live alias: what API Gateway integrations and authorizers call."
  value       = aws_lambda_alias.live.invoke_arn
}

output "version" {
  description = "Version Terraform last published (the target of the next CodeDeploy deployment)."
  value       = aws_lambda_function.this.version
}

output "live_version" {
  description = "Version the live alias points at, as last read (CodeDeploy moves it)."
  value       = aws_lambda_alias.live.function_version
}

output "code_sha256" {
  description = "Base64 sha256 of the deployed code, checked against source_code_hash on every apply."
  value       = aws_lambda_function.this.code_sha256
}

output "timeout_s" {
  description = "Timeout of the function (its Duration alarm fires near it)."
  value       = aws_lambda_function.this.timeout
}

output "log_group_name" {
  description = "The function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "s3_key" {
  description = "Artifact the function runs (the build's object key)."
  value       = aws_lambda_function.this.s3_key
}

output "environment" {
  description = "The function's environment variables (configuration only; no secret is ever set here)."
  value       = var.environment
}

output "log_retention_days" {
  description = "Days the function's log group keeps its output."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}

output "snap_start" {
  description = "Whether SnapStart restores this function's published versions."
  value       = length(aws_lambda_function.this.snap_start) > 0
}

output "role_arn" {
  description = "The execution role the function runs with."
  value       = aws_lambda_function.this.role
}

output "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) the function; -1 when unreserved."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}
