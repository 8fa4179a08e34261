output "api_url" {
  description = "Base URL of the REST API."
  value       = module.reservations.api_url
}

output "web_url" {
  description = "URL of the static page."
  value       = module.reservations.web_url
}

output "edge_handoff_parameter" {
  description = "SSM parameter the edge root module (terraform/edge) reads."
  value       = module.reservations.edge_handoff_parameter
}

output "usage_plan_ids" {
  description = "Usage plan id of each tier."
  value       = module.reservations.usage_plan_ids
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.reservations.cluster_name
}

output "artifacts_bucket" {
  description = "Bucket the builds upload to."
  value       = module.reservations.artifacts_bucket
}
