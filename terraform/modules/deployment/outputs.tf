output "application_name" {
  description = "The CodeDeploy application of the functions."
  value       = aws_codedeploy_app.this.name
}

output "deployment_groups" {
  description = "Per function (catalogue name): its deployment group, traffic-shifting configuration, rollback alarms and rollback events."
  value = { for fn, g in aws_codedeploy_deployment_group.this : fn => {
    name            = g.deployment_group_name
    config          = g.deployment_config_name
    alarms          = toset(one(g.alarm_configuration[*].alarms))
    rollback_events = toset(one(g.auto_rollback_configuration[*].events))
  } }
}

output "deployments" {
  description = "Per function: application, group, and the AppSpec moving its alias from the version it serves to the one published last (pending when they differ)."
  value = { for fn, f in var.functions : fn => {
    application      = aws_codedeploy_app.this.name
    deployment_group = aws_codedeploy_deployment_group.this[fn].deployment_group_name
    function_name    = f.function_name
    alias            = f.alias_name
    current_version  = f.live_version
    target_version   = f.target_version
    pending          = f.live_version != f.target_version
    appspec          = local.appspecs[fn]
  } }
}
