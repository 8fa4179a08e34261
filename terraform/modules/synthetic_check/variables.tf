variable "name" {
  description = "Prefix of the schedule, rule, connection, destinations and role."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "edge_url" {
  description = "Base URL of the edge on one customer's host (https://star.hotels.example.com): the edge maps the host to the customer whose key the connection holds."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]+)?/?$", var.edge_url))
    error_message = "edge_url must be an https:// base URL without a path."
  }
}

variable "list_path" {
  description = "Path of the list route (from the function catalogue), called under the edge's /api."
  type        = string

  validation {
    condition     = can(regex("^(/[a-z0-9_-]+)+$", var.list_path))
    error_message = "list_path must be a route path without parameters."
  }
}

variable "schedule" {
  description = "When the check runs (EventBridge Scheduler cron in timezone): after the morning's rebuild has had time to finish."
  type        = string
  default     = "cron(0 8 ? * MON-FRI *)"

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.schedule))
    error_message = "schedule must be a cron(...) expression."
  }
}

variable "timezone" {
  description = "Time zone of the schedule (the cluster schedule's)."
  type        = string
  default     = "UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$", var.timezone))
    error_message = "timezone must be an IANA time zone."
  }
}

variable "enabled" {
  description = "Whether the schedule runs (off while the cluster's schedules are off: there is no morning rebuild to check)."
  type        = bool
  default     = true
}
