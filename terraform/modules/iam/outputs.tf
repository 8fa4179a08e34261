output "function_role_arns" {
  description = "Execution role of each function, by catalogue name."
  value       = { for name, role in aws_iam_role.function : name => role.arn }
}

output "tenant_role_arns" {
  description = "Tenant-access role of each API function (RESERVATIONS_TENANT_ROLE_ARN), by catalogue name."
  value       = { for name, role in aws_iam_role.tenant : name => role.arn }
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

output "function_policies" {
  description = "Each function's execution-role policy as attached (JSON), by catalogue name: the catalogue's grants, rendered."
  value       = { for name, policy in aws_iam_role_policy.function : name => policy.policy }
}
