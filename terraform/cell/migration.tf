# A deployment of the one root that terraform/ was before cells (issue #24) becomes cell c1 without
# replacing anything: its state moves here (`terraform -chdir=terraform/cell init -migrate-state`,
# or the same Terraform Cloud workspace) and these blocks move every object under module.cell.
# tests/terraform/test_migration.py plans them against such a state: every object moves, none is
# destroyed, and the list below names every resource and module call of modules/cell.
moved {
  from = aws_kms_key.this
  to   = module.cell.aws_kms_key.this
}

moved {
  from = aws_kms_alias.this
  to   = module.cell.aws_kms_alias.this
}

moved {
  from = module.registry_table
  to   = module.cell.module.registry_table
}

moved {
  from = module.function
  to   = module.cell.module.function
}

moved {
  from = module.iam
  to   = module.cell.module.iam
}

moved {
  from = module.rest_api
  to   = module.cell.module.rest_api
}

moved {
  from = module.build
  to   = module.cell.module.build
}

moved {
  from = module.ecr
  to   = module.cell.module.ecr
}

moved {
  from = module.web
  to   = module.cell.module.web
}

moved {
  from = module.eks
  to   = module.cell.module.eks
}

moved {
  from = aws_ssm_parameter.edge_handoff
  to   = module.cell.aws_ssm_parameter.edge_handoff
}

moved {
  from = module.channel_sync
  to   = module.cell.module.channel_sync
}

moved {
  from = aws_ssm_parameter.usage_plans
  to   = module.cell.aws_ssm_parameter.usage_plans
}

moved {
  from = module.cluster_scheduler
  to   = module.cell.module.cluster_scheduler
}

moved {
  from = module.monitoring
  to   = module.cell.module.monitoring
}

moved {
  from = module.deployment
  to   = module.cell.module.deployment
}

moved {
  from = module.backup
  to   = module.cell.module.backup
}

moved {
  from = module.synthetic_check
  to   = module.cell.module.synthetic_check
}

moved {
  from = aws_iam_role.edge_sync
  to   = module.cell.aws_iam_role.edge_sync
}

moved {
  from = aws_iam_role_policy.edge_sync
  to   = module.cell.aws_iam_role_policy.edge_sync
}

# Deployments from before issue #23 have a table, an API key, a usage plan and a plan key per
# customer in their state. These blocks let go of them without destroying anything: the tables stay,
# with their reservations, and are already in the registry (`tenants create` registered each one);
# tests/terraform/test_migration.py proves the plan forgets them and destroys none (docs/scaling.md).
# The API's per-customer objects are named where the move above puts them (moves are applied first).
removed {
  from = module.customer_table
  lifecycle {
    destroy = false
  }
}

removed {
  from = module.cell.module.rest_api.aws_api_gateway_usage_plan_key.customer
  lifecycle {
    destroy = false
  }
}

removed {
  from = module.cell.module.rest_api.aws_api_gateway_usage_plan.customer
  lifecycle {
    destroy = false
  }
}

removed {
  from = module.cell.module.rest_api.aws_api_gateway_api_key.customer
  lifecycle {
    destroy = false
  }
}
