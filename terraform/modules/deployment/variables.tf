variable "name" {
  description = "Prefix of the CodeDeploy application (<name>-functions) and its role."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "functions" {
  description = "Every function by catalogue name: its Lambda name, the alias CodeDeploy shifts, the version the alias serves, the version Terraform published last, and the alarms that roll a deployment back."
  type = map(object({
    function_name  = string
    alias_name     = string
    live_version   = string
    target_version = string
    alarm_names    = list(string)
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : length(f.alarm_names) >= 1 && length(f.alarm_names) <= 10])
    error_message = "Each function needs 1-10 rollback alarms (CodeDeploy's limit is ten per deployment group)."
  }
}

variable "deployment_config_name" {
  description = "How traffic shifts: a CodeDeployDefault.Lambda* configuration (canary, linear or all at once)."
  type        = string
  default     = "CodeDeployDefault.LambdaCanary10Percent5Minutes"

  validation {
    condition     = can(regex("^CodeDeployDefault\\.Lambda(AllAtOnce|Canary10Percent(5|10|15|30)Minutes|Linear10PercentEvery(1|2|3|10)Minutes?)$", var.deployment_config_name))
    error_message = "deployment_config_name must be one of the CodeDeployDefault.Lambda* configurations."
  }
}
