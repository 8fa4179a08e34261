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

output "codebuild_role" {
  description = "Service role of the CodeBuild project and the name of its policy. One value, so whatever uses the role (even through `-target=module.build`) waits for its policy too: a role without it cannot read the source or write the artifacts."
  value = {
    arn         = aws_iam_role.codebuild.arn
    policy_name = aws_iam_role_policy.codebuild.name
  }
}

output "api_gateway_cloudwatch_role_arn" {
  description = "Role API Gateway writes its logs with."
  value       = aws_iam_role.apigateway_logs.arn
}
