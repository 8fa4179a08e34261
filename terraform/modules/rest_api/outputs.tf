output "rest_api_id" {
  description = "Id of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the REST API (for invoke permissions)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage."
  value       = aws_api_gateway_stage.this.arn
}

output "origin" {
  description = "Origin of the API (https://<id>.execute-api.<region>.amazonaws.com): known once the REST API exists, before any stage, so a page's CSP can name it without waiting for the functions."
  value       = "https://${aws_api_gateway_rest_api.this.id}.execute-api.${data.aws_region.current.name}.${data.aws_partition.current.dns_suffix}"
}

output "invoke_url" {
  description = "Base URL of the API: https://<id>.execute-api.<region>.amazonaws.com/<stage>."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "routes" {
  description = "Every deployed route (\"METHOD /path\") and the function serving it."
  value       = { for key, r in local.routes : key => r.function }
}

output "usage_plan_ids" {
  description = "Id of each tier's usage plan, by tier."
  value       = { for name, p in aws_api_gateway_usage_plan.tier : name => p.id }
}

output "usage_plan_limits" {
  description = "Each tier's plan as API Gateway has it: [rate_limit, burst_limit, monthly quota or null]."
  value = {
    for name, p in aws_api_gateway_usage_plan.tier : name => [
      one(p.throttle_settings[*].rate_limit), one(p.throttle_settings[*].burst_limit), one(p.quota_settings[*].limit)
    ]
  }
}

output "usage_key_prefix" {
  description = "The authorizer returns <prefix><customer> as usageIdentifierKey (env RESERVATIONS_USAGE_KEY_PREFIX)."
  value       = local.usage_key_prefix
}

output "access_log_group_name" {
  description = "Log group of the stage's JSON access log."
  value       = aws_cloudwatch_log_group.access.name
}

output "invoke_permissions" {
  description = "Per route, the source ARN its function's invoke permission is scoped to."
  value       = { for key, p in aws_lambda_permission.route : key => p.source_arn }
}

output "cors_paths" {
  description = "Paths whose CORS preflight (OPTIONS) API Gateway answers."
  value       = sort(keys(aws_api_gateway_method.cors))
}

output "edge_header_name" {
  description = "Header the nginx edge must send with the secret value when require_edge_header is on."
  value       = local.edge_header_name
}

output "edge_only_rule" {
  description = "Whether the WAF refuses requests that do not carry the edge's secret header."
  value       = length([for r in try(aws_wafv2_web_acl.this[0].rule, []) : r if r.name == "only-through-the-edge"]) == 1
}

output "execution_log_group_name" {
  description = "Log group of the stage's execution log (API-Gateway-Execution-Logs_<api id>/<stage>)."
  value       = aws_cloudwatch_log_group.execution.name
}

output "web_acl_name" {
  description = "Name of the WAF web ACL (null without WAF), for its metrics."
  value       = var.enable_waf ? aws_wafv2_web_acl.this[0].name : null
}

output "integration_uris" {
  description = "Per route, the URI its integration invokes (the function's live alias)."
  value       = { for key, i in aws_api_gateway_integration.route : key => i.uri }
}

output "authorizer_uris" {
  description = "Per authorizer (main, compat), the URI it invokes."
  value       = { for kind, a in aws_api_gateway_authorizer.this : kind => a.authorizer_uri }
}

output "invoke_permission_qualifiers" {
  description = "Per route, the function qualifier (alias) its invoke permission is granted on."
  value       = { for key, p in aws_lambda_permission.route : key => p.qualifier }
}

output "log_retention" {
  description = "Days kept, per log group of the stage: access, execution and WAF."
  value = {
    access    = aws_cloudwatch_log_group.access.retention_in_days
    execution = aws_cloudwatch_log_group.execution.retention_in_days
    waf       = var.enable_waf ? aws_cloudwatch_log_group.waf[0].retention_in_days : null
  }
}

output "route_authorization" {
  description = "Per route, its authorization: CUSTOM (the authorizer) or NONE (a public route, the calendar feed)."
  value       = { for key, m in aws_api_gateway_method.route : key => m.authorization }
}
