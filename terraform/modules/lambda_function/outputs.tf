output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway integrations invoke."
  value       = aws_lambda_function.this.invoke_arn
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
