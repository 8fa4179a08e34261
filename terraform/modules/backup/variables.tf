variable "name" {
  description = "Prefix of the vault, plan, selection and role."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the vault's recovery points."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "schedule" {
  description = "When the daily backup starts (AWS Backup cron, UTC)."
  type        = string
  default     = "cron(0 5 ? * * *)"

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.schedule))
    error_message = "schedule must be a cron(...) expression."
  }
}

variable "retention_days" {
  description = "Days each recovery point is kept."
  type        = number
  default     = 90

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 36500
    error_message = "retention_days must be between 1 and 36500."
  }
}

variable "copy_vault_arn" {
  description = "Backup vault in a second region (or account) each recovery point is copied to; null for no copy. Copying DynamoDB backups needs AWS Backup's advanced DynamoDB features turned on in the account."
  type        = string
  default     = null

  validation {
    condition     = var.copy_vault_arn == null || can(regex("^arn:aws[a-z-]*:backup:[a-z0-9-]+:[0-9]{12}:backup-vault:.+$", var.copy_vault_arn))
    error_message = "copy_vault_arn must be a Backup vault ARN or null."
  }
}

variable "copy_retention_days" {
  description = "Days the copies are kept (null: as long as the originals)."
  type        = number
  default     = null

  validation {
    condition     = var.copy_retention_days == null || (coalesce(var.copy_retention_days, 1) >= 1 && coalesce(var.copy_retention_days, 1) <= 36500)
    error_message = "copy_retention_days must be between 1 and 36500, or null."
  }
}

variable "selection_tag" {
  description = "The tag (key -> value) that selects a table for backup: the only selection (no ARN list)."
  type        = map(string)

  validation {
    condition     = length(var.selection_tag) == 1
    error_message = "selection_tag holds exactly one tag."
  }
}
