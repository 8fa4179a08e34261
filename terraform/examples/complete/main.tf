# A complete deployment: every input of the root module set from terraform.tfvars (copy
# terraform.tfvars.example).  The function catalogue is read from the generated file beside the
# root module, never retyped; the builds come from lambda_builds.auto.tfvars.json here.

module "reservations" {
  source = "../.."

  functions     = jsondecode(file("${path.module}/../../functions.auto.tfvars.json")).functions
  lambda_builds = var.lambda_builds

  region              = var.region
  name                = var.name
  table_prefix        = var.table_prefix
  tags                = var.tags
  artifacts_prefix    = var.artifacts_prefix
  lambda_architecture = var.lambda_architecture
  lambda_snap_start   = var.lambda_snap_start
  log_retention       = var.log_retention

  tiers                        = var.tiers
  stage_name                   = var.stage_name
  api_throttle                 = var.api_throttle
  api_reserved_concurrency     = var.api_reserved_concurrency
  authorizer_cache_ttl_seconds = var.authorizer_cache_ttl_seconds
  enforce_usage_plans          = var.enforce_usage_plans
  cors_allowed_origins         = var.cors_allowed_origins
  enable_waf                   = var.enable_waf
  public_api_url               = var.public_api_url
  edge_secret_arn              = var.edge_secret_arn
  manage_api_gateway_account   = var.manage_api_gateway_account

  enable_web     = var.enable_web
  web_source_dir = "${path.module}/../../../web"

  vpc_id                                     = var.vpc_id
  subnet_ids                                 = var.subnet_ids
  cluster_name                               = var.cluster_name
  cluster_version                            = var.cluster_version
  cluster_endpoint_public_access_cidrs       = var.cluster_endpoint_public_access_cidrs
  cluster_node_subnet_ids                    = var.cluster_node_subnet_ids
  cluster_endpoint_client_security_group_ids = var.cluster_endpoint_client_security_group_ids
  terraform_run_role_arn                     = var.terraform_run_role_arn
  cluster_admin_role_arns                    = var.cluster_admin_role_arns
  node_group                                 = var.node_group

  cluster_schedule     = var.cluster_schedule
  notification_emails  = var.notification_emails
  tfc_url              = var.tfc_url
  tfc_organization     = var.tfc_organization
  tfc_workspace        = var.tfc_workspace
  tfc_edge_workspace   = var.tfc_edge_workspace
  tfc_token_secret_arn = var.tfc_token_secret_arn
  tfc_client           = var.tfc_client

  source_repository_url = var.source_repository_url
  source_version        = var.source_version
  source_auth           = var.source_auth

  registry_deletion_protection = var.registry_deletion_protection
  artifacts_force_destroy      = var.artifacts_force_destroy

  alarm_emails      = var.alarm_emails
  alarm_thresholds  = var.alarm_thresholds
  budget            = var.budget
  deployment_config = var.deployment_config
  backup            = var.backup
  synthetic_check   = var.synthetic_check
}
