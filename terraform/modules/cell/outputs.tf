output "api_url" {
  description = "Base URL of the REST API (https://<id>.execute-api.<region>.amazonaws.com/<stage>); the routes are relative to it."
  value       = module.rest_api.invoke_url
}

output "api_id" {
  description = "Id of the REST API (its execution log group is API-Gateway-Execution-Logs_<id>/<stage>)."
  value       = module.rest_api.rest_api_id
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

output "registry_table" {
  description = "The customers registry table (RESERVATIONS_REGISTRY_TABLE for `reservations tenants`)."
  value       = module.registry_table.name
}

output "table_kms_key_arn" {
  description = "The key customer tables are encrypted with (RESERVATIONS_TABLE_KMS_KEY_ARN for `reservations tenants create`)."
  value       = aws_kms_key.this.arn
}

output "backup_tag" {
  description = "The reservations/backup tag value the backup plan selects tables by (RESERVATIONS_BACKUP_TAG for `reservations tenants create`)."
  value       = local.backup_tag["reservations/backup"]
}

output "usage_plan_ids" {
  description = "Id of each tier's API Gateway usage plan (RESERVATIONS_USAGE_PLANS for `reservations tenants create --tier`)."
  value       = module.rest_api.usage_plan_ids
}

output "usage_key_prefix" {
  description = "The prefix of each customer's usage key (RESERVATIONS_USAGE_KEY_PREFIX, as the authorizer has it)."
  value       = module.rest_api.usage_key_prefix
}

output "tenants_admin_function" {
  description = "The onboarding function's live alias (aws lambda invoke --function-name <this>: docs/deploying.md step 6)."
  value       = local.admin_function == null ? null : module.function[local.admin_function].alias_arn
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

output "alarm_topic_arn" {
  description = "SNS topic every alarm and the budget notify: subscribe ChatOps or a pager here."
  value       = module.monitoring.topic_arn
}

output "alarms" {
  description = "Every alarm by name: namespace, metric, statistic, dimensions, threshold, missing-data treatment and actions."
  value       = module.monitoring.alarms
}

output "dashboard_name" {
  description = "The CloudWatch dashboard (one row per layer, then the cost drivers)."
  value       = module.monitoring.dashboard_name
}

output "function_aliases" {
  description = "ARN of each function's live alias, the only thing API Gateway and the schedules invoke."
  value       = { for name, f in module.function : name => f.alias_arn }
}

output "function_deployments" {
  description = "Per function: CodeDeploy application and group, the version live serves, the version published last, whether a deployment is pending, and its AppSpec (scripts/deploy-functions starts them)."
  value       = module.deployment.deployments
}

output "backup_vault" {
  description = "Backup vault holding the tables' daily recovery points (`reservations tenants restore --from-backup ARN`)."
  value       = module.backup.vault_name
}

output "backup_restore_role_arn" {
  description = "Role to pass to `aws backup start-restore-job` when restoring an AWS Backup recovery point."
  value       = module.backup.restore_role_arn
}

output "synthetic_check_connection" {
  description = "EventBridge connection holding the synthetic check's API key (null without a check): set the key with aws events update-connection."
  value       = var.synthetic_check == null ? null : module.synthetic_check[0].connection_name
}

output "region" {
  description = "Region of the deployment: what the AWS CLI and `reservations tenants create` are pointed at (docs/deploying.md)."
  value       = var.region
}
