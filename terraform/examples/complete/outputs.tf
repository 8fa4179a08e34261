output "api_url" {
  description = "Base URL of the REST API."
  value       = module.cell.api_url
}

output "web_url" {
  description = "URL of the static page."
  value       = module.cell.web_url
}

output "edge_handoff_parameter" {
  description = "SSM parameter the edge root module (terraform/edge) reads."
  value       = module.cell.edge_handoff_parameter
}

output "usage_plan_ids" {
  description = "Usage plan id of each tier."
  value       = module.cell.usage_plan_ids
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.cell.cluster_name
}

output "artifacts_bucket" {
  description = "Bucket the builds upload to."
  value       = module.cell.artifacts_bucket
}
