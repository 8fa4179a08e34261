variable "name" {
  description = "Prefix of the role names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "table_prefix" {
  description = "Table prefix: the application functions may use tables named <prefix>*-reservations only."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{0,40}$", var.table_prefix))
    error_message = "table_prefix may hold at most 40 characters of a-z A-Z 0-9 _ . -."
  }
}

variable "registry_table_arn" {
  description = "ARN of the customers registry table."
  type        = string
}

variable "kms_key_arn" {
  description = "The key encrypting tables, logs, the topic and the artifacts."
  type        = string
}

variable "function_names" {
  description = "Deployed names of every Lambda function; each may write only to its own log group."
  type        = list(string)
}

variable "cluster_name" {
  description = "The one EKS cluster the scheduler functions may act on."
  type        = string
}

variable "tfc_token_secret_arn" {
  description = "The one secret the \"up\" function may read (the Terraform Cloud token)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.tfc_token_secret_arn))
    error_message = "tfc_token_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "notify_topic_arn" {
  description = "The SNS topic the scheduler functions publish outcomes to."
  type        = string
}

variable "followup_schedule_arns" {
  description = "Follow-up schedule of each scheduler direction (down, up), which that function switches on and off."
  type        = map(string)
}

variable "scheduler_invoke_role_arn" {
  description = "Role EventBridge Scheduler uses to invoke the functions (passed when a follow-up schedule is updated)."
  type        = string
}

variable "artifacts_bucket_arn" {
  description = "The artifacts bucket CodeBuild uploads function zips to."
  type        = string
}

variable "codebuild_log_group_arn" {
  description = "CodeBuild's log group."
  type        = string
}
