output "api_url" {
  description = "Base URL of the REST API (https://<id>.execute-api.<region>.amazonaws.com/<stage>); the routes are relative to it."
  value       = module.rest_api.invoke_url
}

output "routes" {
  description = "Every deployed route and the function serving it (from the catalogue)."
  value       = module.rest_api.routes
}

output "web_url" {
  description = "URL of the static page on CloudFront (null when enable_web is false)."
  value       = var.enable_web ? module.web[0].url : null
}

output "edge_handoff_parameter" {
  description = "SSM parameter the edge root module (terraform/edge) reads: cluster, upstream URL, image repository, host -> customer."
  value       = aws_ssm_parameter.edge_handoff.name
}

output "customer_tables" {
  description = "DynamoDB table of each customer."
  value       = { for customer, t in module.customer_table : customer => t.name }
}

output "registry_table" {
  description = "The customers registry table (RESERVATIONS_REGISTRY_TABLE for `reservations tenants`)."
  value       = module.registry_table.name
}

output "customer_api_key_ids" {
  description = "Id of each customer's API Gateway usage-plan key (a usage identifier; the customer's own API key is created with `reservations tenants create` and stored hashed)."
  value       = module.rest_api.customer_api_key_ids
}

output "cluster_name" {
  description = "Name of the EKS cluster (the scheduler's RESERVATIONS_CLUSTER_NAME)."
  value       = module.eks.cluster_name
}

output "function_names" {
  description = "Deployed Lambda function name of each catalogue function."
  value       = { for name, f in module.function : name => f.function_name }
}

output "artifacts_bucket" {
  description = "Bucket the builds upload to (ARTIFACTS_BUCKET; `reservations build --upload s3://<this>`)."
  value       = module.build.artifacts_bucket_name
}

output "codebuild_project" {
  description = "CodeBuild project building one function per build (FUNCTION_NAME)."
  value       = module.build.project_name
}

output "ecr_repository_url" {
  description = "Repository to push the nginx edge image to."
  value       = module.ecr.repository_url
}

output "scheduler_topic_arn" {
  description = "SNS topic receiving the scheduler's outcomes."
  value       = module.cluster_scheduler.topic_arn
}
