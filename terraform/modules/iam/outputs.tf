output "function_role_arns" {
  description = "Execution role of each function, by catalogue name."
  value       = { for name, role in aws_iam_role.function : name => role.arn }
}

output "tenant_role_arns" {
  description = "Tenant-access role of each API function (RESERVATIONS_TENANT_ROLE_ARN), by catalogue name."
  value       = { for name, role in aws_iam_role.tenant : name => role.arn }
}

output "codebuild_role_arn" {
  description = "Service role of the CodeBuild project."
  value       = aws_iam_role.codebuild.arn
}

output "api_gateway_cloudwatch_role_arn" {
  description = "Role API Gateway writes its logs with."
  value       = aws_iam_role.apigateway_logs.arn
}
