# Every output of the cell's module, under the same name, so that `terraform -chdir=terraform/cell
# output -raw registry_table` (docs/deploying.md, scripts/deploy-functions) reads the cell it is
# pointed at. What each one is: ../modules/cell/outputs.tf.

output "api_url" {
  description = "The cell's api_url (modules/cell/outputs.tf)."
  value       = module.cell.api_url
}

output "api_id" {
  description = "The cell's api_id (modules/cell/outputs.tf)."
  value       = module.cell.api_id
}

output "routes" {
  description = "The cell's routes (modules/cell/outputs.tf)."
  value       = module.cell.routes
}

output "web_url" {
  description = "The cell's web_url (modules/cell/outputs.tf)."
  value       = module.cell.web_url
}

output "edge_handoff_parameter" {
  description = "The cell's edge_handoff_parameter (modules/cell/outputs.tf)."
  value       = module.cell.edge_handoff_parameter
}

output "registry_table" {
  description = "The cell's registry_table (modules/cell/outputs.tf)."
  value       = module.cell.registry_table
}

output "table_kms_key_arn" {
  description = "The cell's table_kms_key_arn (modules/cell/outputs.tf)."
  value       = module.cell.table_kms_key_arn
}

output "backup_tag" {
  description = "The cell's backup_tag (modules/cell/outputs.tf)."
  value       = module.cell.backup_tag
}

output "usage_plan_ids" {
  description = "The cell's usage_plan_ids (modules/cell/outputs.tf)."
  value       = module.cell.usage_plan_ids
}

output "usage_key_prefix" {
  description = "The cell's usage_key_prefix (modules/cell/outputs.tf)."
  value       = module.cell.usage_key_prefix
}

output "tenants_admin_function" {
  description = "The cell's tenants_admin_function (modules/cell/outputs.tf)."
  value       = module.cell.tenants_admin_function
}

output "cluster_name" {
  description = "The cell's cluster_name (modules/cell/outputs.tf)."
  value       = module.cell.cluster_name
}

output "function_names" {
  description = "The cell's function_names (modules/cell/outputs.tf)."
  value       = module.cell.function_names
}

output "artifacts_bucket" {
  description = "The cell's artifacts_bucket (modules/cell/outputs.tf)."
  value       = module.cell.artifacts_bucket
}

output "codebuild_project" {
  description = "The cell's codebuild_project (modules/cell/outputs.tf)."
  value       = module.cell.codebuild_project
}

output "ecr_repository_url" {
  description = "The cell's ecr_repository_url (modules/cell/outputs.tf)."
  value       = module.cell.ecr_repository_url
}

output "scheduler_topic_arn" {
  description = "The cell's scheduler_topic_arn (modules/cell/outputs.tf)."
  value       = module.cell.scheduler_topic_arn
}

output "alarm_topic_arn" {
  description = "The cell's alarm_topic_arn (modules/cell/outputs.tf)."
  value       = module.cell.alarm_topic_arn
}

output "alarms" {
  description = "The cell's alarms (modules/cell/outputs.tf)."
  value       = module.cell.alarms
}

output "dashboard_name" {
  description = "The cell's dashboard_name (modules/cell/outputs.tf)."
  value       = module.cell.dashboard_name
}

output "function_aliases" {
  description = "The cell's function_aliases (modules/cell/outputs.tf)."
  value       = module.cell.function_aliases
}

output "function_deployments" {
  description = "The cell's function_deployments (modules/cell/outputs.tf)."
  value       = module.cell.function_deployments
}

output "backup_vault" {
  description = "The cell's backup_vault (modules/cell/outputs.tf)."
  value       = module.cell.backup_vault
}

output "backup_restore_role_arn" {
  description = "The cell's backup_restore_role_arn (modules/cell/outputs.tf)."
  value       = module.cell.backup_restore_role_arn
}

output "synthetic_check_connection" {
  description = "The cell's synthetic_check_connection (modules/cell/outputs.tf)."
  value       = module.cell.synthetic_check_connection
}

output "region" {
  description = "The cell's region (modules/cell/outputs.tf)."
  value       = module.cell.region
}

output "account_id" {
  description = "The cell's account (null: the credentials' own)."
  value       = var.account_id
}
