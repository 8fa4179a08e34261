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

output "customer_api_key_ids" {
  description = "Id of each customer's usage-plan key, by customer."
  value       = { for name, k in aws_api_gateway_api_key.customer : name => k.id }
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
