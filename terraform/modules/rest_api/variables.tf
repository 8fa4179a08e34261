variable "name" {
  description = "Name of the REST API and prefix of its related resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "stage_name" {
  description = "Stage name (last segment of the invoke URL)."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,64}$", var.stage_name))
    error_message = "stage_name may hold letters, digits and underscores only."
  }
}

variable "functions" {
  description = "The function catalogue (var.functions of the root module); every route of every function becomes a method with a Lambda proxy integration and an invoke permission."
  type = map(object({
    handler     = string
    kind        = string
    description = string
    memory_mb   = number
    timeout_s   = number
    routes = list(object({
      method = string
      path   = string
      compat = bool
      public = optional(bool, false) # no API key, no authorizer: the function proves the right itself
    }))
  }))

  validation {
    condition     = alltrue(flatten([for f in values(var.functions) : [for r in f.routes : can(regex("^(/[a-z0-9{}_-]+){1,3}$", r.path))]]))
    error_message = "Route paths must have 1-3 segments: the module builds three levels of API resources."
  }
}

variable "function_invoke_arns" {
  description = "Invoke ARN of each function in var.functions, by catalogue name."
  type        = map(string)
}

variable "function_names" {
  description = "Deployed Lambda function name of each function in var.functions, by catalogue name (for invoke permissions)."
  type        = map(string)
}

variable "authorizer_function" {
  description = "Catalogue name of the REQUEST authorizer function."
  type        = string
}

variable "authorizer_cache_ttl_seconds" {
  description = "Seconds API Gateway caches an authorizer decision, keyed on the API key and customer headers."
  type        = number
  default     = 300

  validation {
    condition     = var.authorizer_cache_ttl_seconds >= 0 && var.authorizer_cache_ttl_seconds <= 3600
    error_message = "authorizer_cache_ttl_seconds must be between 0 and 3600."
  }
}

variable "tiers" {
  description = "Usage plans by tier: tier -> rate_limit, burst_limit, monthly_quota. A few, fixed: each customer's usage key is put in its tier's plan by `reservations tenants create`, not here."
  type = map(object({
    rate_limit    = number
    burst_limit   = number
    monthly_quota = optional(number)
  }))

  validation {
    condition     = alltrue([for name in keys(var.tiers) : can(regex("^[a-z][a-z0-9-]{0,19}$", name))])
    error_message = "Tier names are 1-20 of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "enforce_usage_plans" {
  description = "Mark every route as requiring an API key, read from the authorizer's usageIdentifierKey, so each customer's usage plan is enforced (needs an authorizer that returns it)."
  type        = bool
  default     = true
}

variable "throttle" {
  description = "Stage-wide default throttling."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = {
    rate_limit  = 200
    burst_limit = 400
  }

  validation {
    condition     = var.throttle.rate_limit > 0 && var.throttle.burst_limit >= 1
    error_message = "throttle needs a positive rate_limit and a burst_limit of at least 1."
  }
}

variable "enable_cors" {
  description = "Answer CORS preflights (OPTIONS) on every route path. A separate, known-at-plan flag because the origins may be unknown until apply (a CloudFront URL)."
  type        = bool
  default     = false
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the API from a browser (preflight answered by API Gateway)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "cors_allowed_origins must be origins (scheme://host[:port])."
  }
}

variable "require_edge_header" {
  description = "Refuse (WAF, 403) every request without the edge's secret header, so clients cannot bypass the nginx edge. Needs enable_waf."
  type        = bool
  default     = false
}

variable "edge_header_value" {
  description = "The secret value of the edge's header (read from Secrets Manager by the caller); null when require_edge_header is off."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.edge_header_value == null || length(coalesce(var.edge_header_value, "x")) >= 32
    error_message = "edge_header_value must be at least 32 characters."
  }
}

variable "enable_waf" {
  description = "Attach a WAF web ACL (AWS managed rules, per-address rate limit) to the stage."
  type        = bool
  default     = true
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests one client address may make in five minutes before WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit_per_5_minutes >= 100
    error_message = "waf_rate_limit_per_5_minutes must be at least 100 (WAF's minimum)."
  }
}

variable "waf_source_rate_limit_per_5_minutes" {
  description = "Requests one connecting address may make in five minutes for one customer (X-Customer), and ten times that for all customers together; high, because all traffic through the nginx edge arrives from the cluster's NAT addresses."
  type        = number
  default     = 50000

  validation {
    condition     = var.waf_source_rate_limit_per_5_minutes >= 100
    error_message = "waf_source_rate_limit_per_5_minutes must be at least 100 (WAF's minimum)."
  }
}

variable "manage_account" {
  description = "Manage the account-wide API Gateway settings (its CloudWatch Logs role)."
  type        = bool
  default     = true
}

variable "cloudwatch_role_arn" {
  description = "Role API Gateway uses to write logs (used when manage_account is true)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.cloudwatch_role_arn))
    error_message = "cloudwatch_role_arn must be an IAM role ARN."
  }
}

variable "access_log_retention_days" {
  description = "Retention of the access and execution log groups."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_days)
    error_message = "access_log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "audit_log_retention_days" {
  description = "Retention of the WAF log group (who was blocked and why)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit_log_retention_days)
    error_message = "audit_log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "function_alias" {
  description = "Alias of every function that integrations and authorizers invoke; the invoke permissions are granted on it."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.function_alias))
    error_message = "function_alias must be a Lambda alias name."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}
