variable "name" {
  description = "Prefix of the topic, alarms, dashboard, budget and custom metric namespace (Reservations/<name>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic and the budget's alerts (each must confirm the topic subscription). A ChatOps endpoint subscribes to the topic_arn output."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the alarm topic (its key policy must let CloudWatch and Budgets use it)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "api_name" {
  description = "Name of the REST API (the ApiName dimension of its metrics)."
  type        = string

  validation {
    condition     = length(var.api_name) > 0
    error_message = "api_name must not be empty."
  }
}

variable "stage_name" {
  description = "Stage of the REST API (the Stage dimension)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,64}$", var.stage_name))
    error_message = "stage_name may hold letters, digits and underscores only."
  }
}

variable "functions" {
  description = "Every deployed function by catalogue name: its Lambda name and timeout (its Duration alarm fires near the timeout)."
  type = map(object({
    function_name = string
    timeout_s     = number
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : f.timeout_s >= 1 && f.timeout_s <= 900])
    error_message = "timeout_s must be between 1 and 900."
  }
}

variable "scheduler_function_names" {
  description = "Lambda name of the scheduler's function of each direction (shown on the dashboard)."
  type        = map(string)

  validation {
    condition     = alltrue([for n in values(var.scheduler_function_names) : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "scheduler_function_names must be Lambda function names."
  }
}

variable "scheduler_log_groups" {
  description = "Log group of each scheduler function, by direction: the cycle-failed metric filter reads them."
  type        = map(string)

  validation {
    condition     = alltrue([for g in values(var.scheduler_log_groups) : startswith(g, "/aws/lambda/")])
    error_message = "scheduler_log_groups must be Lambda log groups (/aws/lambda/<name>)."
  }
}

variable "cycle_failed_pattern" {
  description = "CloudWatch Logs filter pattern matching the scheduler's log line of a failed or refused cycle."
  type        = string
  default     = "{ $.message = \"cycle finished\" && ($.status = \"failed\" || $.status = \"refused\") }"

  validation {
    condition     = startswith(var.cycle_failed_pattern, "{") && endswith(var.cycle_failed_pattern, "}")
    error_message = "cycle_failed_pattern must be a JSON filter pattern ({ ... })."
  }
}

variable "api_log_groups" {
  description = "Log group of each API function, by function: the store-damage and store-attempts metric filters and the Contributor Insights rules read them."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for g in values(var.api_log_groups) : startswith(g, "/aws/lambda/")])
    error_message = "api_log_groups must be Lambda log groups (/aws/lambda/<name>)."
  }
}

variable "store_damage_pattern" {
  description = "CloudWatch Logs filter pattern matching the stores' log line for damage a write met."
  type        = string
  default     = "{ $.message = \"store damage\" }"

  validation {
    condition     = startswith(var.store_damage_pattern, "{") && endswith(var.store_damage_pattern, "}")
    error_message = "store_damage_pattern must be a JSON filter pattern ({ ... })."
  }
}

variable "slow_request_ms" {
  description = "A request slower than this (its function's own duration_ms) counts for its customer in the customers-by-slow-requests Contributor Insights rule."
  type        = number
  default     = 1000

  validation {
    condition     = var.slow_request_ms >= 1
    error_message = "slow_request_ms must be at least 1."
  }
}

variable "tables" {
  description = "DynamoDB tables to watch, by a short key (registry, customer names): key -> table name."
  type        = map(string)

  validation {
    condition     = alltrue([for t in values(var.tables) : can(regex("^[a-zA-Z0-9_.-]{3,255}$", t))])
    error_message = "tables must map to DynamoDB table names."
  }
}

variable "table_operations" {
  description = "DynamoDB operations whose SystemErrors and ThrottledRequests the table alarms add up (at most ten: metric math's limit): the ones the stores call (tests/terraform/test_operations.py keeps the list current). Each is a metric billed per alarm."
  type        = list(string)
  default     = ["GetItem", "BatchGetItem", "Query", "Scan", "UpdateItem", "TransactWriteItems"]

  validation {
    condition     = length(var.table_operations) >= 1 && length(var.table_operations) <= 10
    error_message = "table_operations must list 1-10 operations (an alarm's metric math takes ten metrics at most)."
  }
}

variable "dead_letter_queue_name" {
  description = "The scheduler's dead-letter queue (undelivered invocations)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dead_letter_queue_name))
    error_message = "dead_letter_queue_name must be an SQS queue name."
  }
}

variable "web_acl_name" {
  description = "WAF web ACL in front of the API; null when WAF is off (no blocked-requests alarm)."
  type        = string
  default     = null

  validation {
    condition     = var.web_acl_name == null || can(regex("^[A-Za-z0-9_-]{1,128}$", var.web_acl_name))
    error_message = "web_acl_name must be a WAF web ACL name or null."
  }
}

variable "synthetic_check_rule_name" {
  description = "EventBridge rule of the synthetic check (its failed invocations page); null when there is none."
  type        = string
  default     = null

  validation {
    condition     = var.synthetic_check_rule_name == null || can(regex("^[A-Za-z0-9._-]{1,64}$", var.synthetic_check_rule_name))
    error_message = "synthetic_check_rule_name must be an EventBridge rule name or null."
  }
}

variable "thresholds" {
  description = "When the alarms fire: 5xx answers and WAF blocks per 5 minutes, p99 latency (ms, 15 minutes), function errors and throttles per 5 minutes, duration as a fraction of each function's timeout, table system errors and throttled requests per 5 minutes."
  type = object({
    api_5xx_per_5_minutes        = optional(number, 5)
    api_p99_latency_ms           = optional(number, 3000)
    function_errors              = optional(number, 1)
    function_throttles           = optional(number, 1)
    duration_fraction_of_timeout = optional(number, 0.8)
    table_system_errors          = optional(number, 1)
    table_throttled_requests     = optional(number, 5)
    waf_blocked_per_5_minutes    = optional(number, 500)
  })
  default = {}

  validation {
    condition = alltrue([
      var.thresholds.api_5xx_per_5_minutes >= 1, var.thresholds.api_p99_latency_ms >= 1,
      var.thresholds.function_errors >= 1, var.thresholds.function_throttles >= 1,
      var.thresholds.table_system_errors >= 1, var.thresholds.table_throttled_requests >= 1,
      var.thresholds.waf_blocked_per_5_minutes >= 1,
    ])
    error_message = "Every count threshold must be at least 1."
  }
  validation {
    condition     = var.thresholds.duration_fraction_of_timeout > 0 && var.thresholds.duration_fraction_of_timeout < 1
    error_message = "duration_fraction_of_timeout must be between 0 and 1 (exclusive)."
  }
}

variable "budget" {
  description = "Monthly cost budget in USD, the percentages of it that alert, and optionally the cost allocation tag (key, value) that scopes it to this deployment (null: the whole account)."
  type = object({
    monthly_limit_usd        = number
    alert_thresholds_percent = optional(list(number), [80, 100])
    cost_allocation_tag = optional(object({
      key   = string
      value = string
    }))
  })

  validation {
    condition     = var.budget.monthly_limit_usd > 0
    error_message = "budget.monthly_limit_usd must be positive."
  }
  validation {
    condition     = length(var.budget.alert_thresholds_percent) > 0 && alltrue([for t in var.budget.alert_thresholds_percent : t > 0 && t <= 1000])
    error_message = "budget.alert_thresholds_percent must hold percentages between 0 and 1000."
  }
}
