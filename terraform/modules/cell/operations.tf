# Operating the deployment (docs/operating.md): alarms, dashboard and budget; canary deploys with
# automatic rollback; backups of every table; the check after each morning's rebuild. Their
# variables are at the end of variables.tf.

module "monitoring" {
  source = "../monitoring"

  name                      = var.name
  alarm_emails              = var.alarm_emails
  kms_key_arn               = aws_kms_key.this.arn
  api_name                  = var.name
  stage_name                = module.rest_api.stage_name
  functions                 = { for name, m in module.function : name => { function_name = m.function_name, timeout_s = m.timeout_s } }
  scheduler_function_names  = { for direction, name in local.scheduler_function : direction => module.function[name].function_name }
  scheduler_log_groups      = { for direction, name in local.scheduler_function : direction => module.function[name].log_group_name }
  api_log_groups            = { for name, f in var.functions : name => module.function[name].log_group_name if f.kind == "api" }
  tables                    = { registry = module.registry_table.name }
  dead_letter_queue_name    = module.cluster_scheduler.dead_letter_queue_name
  web_acl_name              = module.rest_api.web_acl_name
  synthetic_check_rule_name = var.synthetic_check == null ? null : module.synthetic_check[0].rule_name
  thresholds                = var.alarm_thresholds
  budget                    = var.budget
}

module "deployment" {
  source = "../deployment"

  name                   = var.name
  deployment_config_name = var.deployment_config
  functions = {
    for name, m in module.function : name => {
      function_name  = m.function_name
      alias_name     = m.alias_name
      live_version   = m.live_version
      target_version = m.version
      alarm_names    = module.monitoring.function_alarm_names[name]
    }
  }
}

module "backup" {
  source = "../backup"

  name                = var.name
  selection_tag       = local.backup_tag
  kms_key_arn         = aws_kms_key.this.arn
  schedule            = var.backup.schedule
  retention_days      = var.backup.retention_days
  copy_vault_arn      = var.backup.copy_vault_arn
  copy_retention_days = var.backup.copy_retention_days
}

module "synthetic_check" {
  source = "../synthetic_check"
  count  = var.synthetic_check == null ? 0 : 1

  name      = var.name
  edge_url  = var.synthetic_check.edge_url
  list_path = local.synthetic_list_path
  schedule  = var.synthetic_check.schedule
  timezone  = var.cluster_schedule.timezone
  enabled   = local.schedule_enabled
}
