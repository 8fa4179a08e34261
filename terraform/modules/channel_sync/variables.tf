variable "name" {
  description = "Prefix of every resource name (the deployment's name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "queue_name" {
  description = "The customers' queue; its ARN and URL are computed by the caller too (the function's policy and environment name it before it exists)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.queue_name))
    error_message = "queue_name must be 1-76 letters, digits, hyphens or underscores (SQS allows 80; the dead-letter queue adds -dlq)."
  }
}

variable "function_arn" {
  description = "The channel-sync function's alias ARN: what the schedule and the queue invoke."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$", var.function_arn))
    error_message = "function_arn must be a Lambda function alias ARN (function:<name>:<alias>)."
  }
}

variable "function_timeout_s" {
  description = "The function's timeout; the queue hides a message six times as long while a run holds it."
  type        = number

  validation {
    condition     = var.function_timeout_s >= 1 && var.function_timeout_s <= 900
    error_message = "function_timeout_s must be 1-900 (Lambda's limits)."
  }
}

variable "log_group_name" {
  description = "The function's log group, whose \"channel sync\" lines the conflicts metric counts."
  type        = string

  validation {
    condition     = startswith(var.log_group_name, "/aws/lambda/")
    error_message = "log_group_name must be a Lambda function's log group (/aws/lambda/...)."
  }
}

variable "kms_key_arn" {
  description = "The deployment's key, for both queues."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "alarm_topic_arn" {
  description = "Where the conflicts alarm notifies (null: no action)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN, or null."
  }
}

variable "metric_namespace" {
  description = "The CloudWatch namespace of the deployment's custom metrics."
  type        = string

  validation {
    condition     = length(var.metric_namespace) > 0 && !startswith(var.metric_namespace, "AWS/")
    error_message = "metric_namespace must be a custom namespace (not AWS/...)."
  }
}

variable "schedule_expression" {
  description = "How often the sync runs."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be an EventBridge Scheduler rate(...) or cron(...) expression."
  }
}

variable "messages_per_run" {
  description = "Messages (each up to ten customers) one run of the function takes from the queue."
  type        = number
  default     = 1

  validation {
    condition     = var.messages_per_run >= 1 && var.messages_per_run <= 10
    error_message = "messages_per_run must be 1-10."
  }
}

variable "maximum_concurrency" {
  description = "Runs side by side at most (Lambda's SQS scaling), so a sync never crowds out the API."
  type        = number
  default     = 20

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be 2-1000 (Lambda's limits for an SQS source)."
  }
}
