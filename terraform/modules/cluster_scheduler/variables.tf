variable "name" {
  description = "Prefix of the topic, schedule group, schedules, queue and role."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "function_arns" {
  description = "ARN of the scheduler function of each direction: {down = ..., up = ...}."
  type        = map(string)

  validation {
    condition     = join(",", sort(keys(var.function_arns))) == "down,up"
    error_message = "function_arns must have exactly the keys down and up."
  }
}

variable "schedule" {
  description = "Down and up cron expressions in the time zone, the follow-up cadence in minutes, whether the schedules run, and the holidays (passed to the functions, which skip scheduled runs on them)."
  type = object({
    enabled               = optional(bool, true)
    down                  = optional(string, "cron(0 23 ? * MON-FRI *)")
    up                    = optional(string, "cron(0 7 ? * MON-FRI *)")
    timezone              = optional(string, "America/New_York")
    follow_up_minutes     = optional(number, 5)
    holidays              = optional(list(string), [])
    allow_foreign_changes = optional(bool, false)
  })
  default = {}

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.schedule.down)) && can(regex("^cron\\(.+\\)$", var.schedule.up))
    error_message = "schedule.down and schedule.up must be cron(...) expressions."
  }
  validation {
    condition     = var.schedule.follow_up_minutes >= 1 && var.schedule.follow_up_minutes <= 60
    error_message = "schedule.follow_up_minutes must be between 1 and 60."
  }
}

variable "notification_emails" {
  description = "E-mail addresses subscribed to the outcomes topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "notification_emails must be e-mail addresses."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the topic and the dead-letter queue."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}
