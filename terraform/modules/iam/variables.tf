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

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:", var.registry_table_arn))
    error_message = "registry_table_arn must be a DynamoDB table ARN."
  }
}

variable "kms_key_arn" {
  description = "The key encrypting tables, logs, the topic and the artifacts."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "function_kinds" {
  description = "Catalogue name -> kind (api, authorizer, scheduler, admin) of every function: each gets its own role named <name>-<function>, and each API function a tenant-access role."
  type        = map(string)

  validation {
    condition     = alltrue([for n, k in var.function_kinds : can(regex("^[a-z][a-z0-9-]{0,30}$", n)) && contains(["api", "authorizer", "scheduler", "sync", "admin"], k)])
    error_message = "function_kinds must map catalogue names to api, authorizer, scheduler, sync or admin."
  }
}

variable "cluster_name" {
  description = "The one EKS cluster the scheduler functions may act on."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be a valid EKS cluster name."
  }
}

variable "tfc_token_secret_arn" {
  description = "The one secret the \"up\" function may read (the Terraform Cloud token); null grants none."
  type        = string
  default     = null

  validation {
    condition     = var.tfc_token_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.tfc_token_secret_arn))
    error_message = "tfc_token_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "notify_topic_arn" {
  description = "The SNS topic the scheduler functions publish outcomes to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:", var.notify_topic_arn))
    error_message = "notify_topic_arn must be an SNS topic ARN."
  }
}

variable "followup_schedule_arns" {
  description = "Follow-up schedule of each scheduler direction (down, up), which that function switches on and off."
  type        = map(string)

  validation {
    condition     = join(",", sort(keys(var.followup_schedule_arns))) == "down,up" && alltrue([for a in values(var.followup_schedule_arns) : can(regex("^arn:aws[a-z-]*:scheduler:", a))])
    error_message = "followup_schedule_arns must map down and up to EventBridge Scheduler schedule ARNs."
  }
}

variable "scheduler_invoke_role_arn" {
  description = "Role EventBridge Scheduler uses to invoke the functions (passed when a follow-up schedule is updated)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.scheduler_invoke_role_arn))
    error_message = "scheduler_invoke_role_arn must be an IAM role ARN."
  }
}

variable "artifacts_bucket_arn" {
  description = "The artifacts bucket CodeBuild uploads function zips to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:", var.artifacts_bucket_arn))
    error_message = "artifacts_bucket_arn must be an S3 bucket ARN."
  }
}

variable "codebuild_log_group_arn" {
  description = "CodeBuild's log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:", var.codebuild_log_group_arn))
    error_message = "codebuild_log_group_arn must be a CloudWatch Logs log group ARN."
  }
}

variable "channel_sync_queue_arn" {
  description = "The channel sync's customers queue (computed by the caller: the function's policy names it before it exists)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.channel_sync_queue_arn))
    error_message = "channel_sync_queue_arn must be an SQS queue ARN."
  }
}
