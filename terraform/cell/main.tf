# The root of one cell (docs/cells.md): the provider for the cell's account (providers.tf) and the
# module that is the whole deployment. Every cell applies this same root with its own state and its
# own cells/<cell>.tfvars:
#
#   terraform -chdir=terraform/cell workspace select -or-create c1
#   terraform -chdir=terraform/cell apply -var-file=cells/c1.tfvars
#
# The catalogue (functions.auto.tfvars.json) and the builds (lambda_builds.auto.tfvars.json) are
# read from this folder; terraform.tfvars holds what every cell shares.

module "cell" {
  source = "../modules/cell"

  region                                     = var.region
  name                                       = var.name
  table_prefix                               = var.table_prefix
  functions                                  = var.functions
  lambda_builds                              = var.lambda_builds
  artifacts_prefix                           = var.artifacts_prefix
  lambda_architecture                        = var.lambda_architecture
  log_retention                              = var.log_retention
  lambda_snap_start                          = var.lambda_snap_start
  api_reserved_concurrency                   = var.api_reserved_concurrency
  tiers                                      = var.tiers
  stage_name                                 = var.stage_name
  api_throttle                               = var.api_throttle
  authorizer_cache_ttl_seconds               = var.authorizer_cache_ttl_seconds
  enforce_usage_plans                        = var.enforce_usage_plans
  cors_allowed_origins                       = var.cors_allowed_origins
  public_api_url                             = var.public_api_url
  edge_secret_arn                            = var.edge_secret_arn
  directory_read_role_arn                    = var.directory_read_role_arn
  enable_waf                                 = var.enable_waf
  manage_api_gateway_account                 = var.manage_api_gateway_account
  enable_web                                 = var.enable_web
  web_source_dir                             = var.web_source_dir
  vpc_id                                     = var.vpc_id
  subnet_ids                                 = var.subnet_ids
  cluster_name                               = var.cluster_name
  cluster_version                            = var.cluster_version
  cluster_node_subnet_ids                    = var.cluster_node_subnet_ids
  cluster_endpoint_client_security_group_ids = var.cluster_endpoint_client_security_group_ids
  terraform_run_role_arn                     = var.terraform_run_role_arn
  cluster_endpoint_public_access_cidrs       = var.cluster_endpoint_public_access_cidrs
  cluster_admin_role_arns                    = var.cluster_admin_role_arns
  node_group                                 = var.node_group
  cluster_schedule                           = var.cluster_schedule
  notification_emails                        = var.notification_emails
  tfc_url                                    = var.tfc_url
  tfc_organization                           = var.tfc_organization
  tfc_workspace                              = var.tfc_workspace
  tfc_edge_workspace                         = var.tfc_edge_workspace
  tfc_token_secret_arn                       = var.tfc_token_secret_arn
  tfc_client                                 = var.tfc_client
  source_repository_url                      = var.source_repository_url
  source_version                             = var.source_version
  source_auth                                = var.source_auth
  registry_deletion_protection               = var.registry_deletion_protection
  artifacts_force_destroy                    = var.artifacts_force_destroy
  alarm_emails                               = var.alarm_emails
  alarm_thresholds                           = var.alarm_thresholds
  budget                                     = var.budget
  deployment_config                          = var.deployment_config
  backup                                     = var.backup
  synthetic_check                            = var.synthetic_check
}
