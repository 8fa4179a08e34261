# The operator's onboarding function (issue #23: onboarding without a laptop, docs/deploying.md step
# 6) on the complete example's values: deployed from the catalogue with its own role, whose policy is
# the catalogue's grants (the calls tests/security/test_tenants_admin_role.py records), the
# environment onboarding needs, one invocation at a time, and its live alias as an output.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "the_onboarding_function_is_deployed_with_its_role" {
  command = apply

  assert {
    condition     = output.tenants_admin_function == module.function[local.admin_function].alias_arn && local.admin_function != null
    error_message = "The catalogue's admin function must be deployed and its live alias be the tenants_admin_function output."
  }
  assert {
    condition     = module.function[local.admin_function].function_name == "${var.name}-${local.admin_function}"
    error_message = "The onboarding function must be named <name>-<catalogue name>."
  }
  assert {
    condition     = module.function[local.admin_function].role_arn == module.iam.function_role_arns[local.admin_function]
    error_message = "The onboarding function must run with its own role."
  }
  assert {
    condition = toset(flatten([for s in jsondecode(module.iam.function_policies[local.admin_function]).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
      "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:TagResource", "dynamodb:DescribeTimeToLive",
      "dynamodb:UpdateTimeToLive", "dynamodb:UpdateContinuousBackups", "dynamodb:CreateBackup", "dynamodb:UpdateTable",
      "dynamodb:DeleteTable", "dynamodb:ListBackups", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
      "dynamodb:UpdateItem", "dynamodb:DeleteItem", "apigateway:GET", "apigateway:POST", "apigateway:DELETE",
      "ssm:GetParameter", "kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey",
    ])
    error_message = "The onboarding role's policy must hold the catalogue's grants for it, and nothing else."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(module.iam.function_policies[local.admin_function]).Statement :
      s.Resource == ["arn:aws:dynamodb:${var.region}:${data.aws_caller_identity.current.account_id}:table/${var.table_prefix}*-reservations"]
      if contains(s.Action, "dynamodb:CreateTable")
    ])
    error_message = "The onboarding role may make and drop only this deployment's customer tables."
  }
  assert {
    condition = (
      module.function[local.admin_function].environment.RESERVATIONS_TABLE_KMS_KEY_ARN == aws_kms_key.this.arn &&
      module.function[local.admin_function].environment.RESERVATIONS_BACKUP_TAG == output.backup_tag &&
      module.function[local.admin_function].environment.RESERVATIONS_REGISTRY_TABLE == output.registry_table &&
      module.function[local.admin_function].environment.RESERVATIONS_USAGE_KEY_PREFIX == output.usage_key_prefix &&
      module.function[local.admin_function].environment.RESERVATIONS_USAGE_PLANS_PARAMETER == aws_ssm_parameter.usage_plans.name
    )
    error_message = "The onboarding function needs the table key, the backup tag, the registry, the usage key prefix and the tiers' plans."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.usage_plans.value) == output.usage_plan_ids
    error_message = "The tiers' parameter must hold each tier's usage plan id."
  }
  assert {
    condition     = module.function[local.admin_function].reserved_concurrency == 1 && !module.function[local.admin_function].snap_start
    error_message = "One onboarding operation at a time, and no SnapStart for a function the operator invokes now and then."
  }
}
