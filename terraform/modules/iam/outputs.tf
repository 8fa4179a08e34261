output "app_role_arn" {
  description = "Execution role of the API functions."
  value       = aws_iam_role.app.arn
}

output "authorizer_role_arn" {
  description = "Execution role of the authorizer."
  value       = aws_iam_role.authorizer.arn
}

output "scheduler_role_arns" {
  description = "Execution role of each scheduler function, by direction (down, up)."
  value       = { for direction, role in aws_iam_role.scheduler : direction => role.arn }
}

output "codebuild_role_arn" {
  description = "Service role of the CodeBuild project."
  value       = aws_iam_role.codebuild.arn
}

output "api_gateway_cloudwatch_role_arn" {
  description = "Role API Gateway writes its logs with."
  value       = aws_iam_role.apigateway_logs.arn
}
