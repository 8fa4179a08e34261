variable "name" {
  description = "Name of the namespace, deployment, service and related objects."
  type        = string
  default     = "reservations-edge"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label (lower-case letters, digits, hyphens)."
  }
}

variable "image" {
  description = "nginx edge image, <ECR repository URL>:<immutable tag>."
  type        = string

  validation {
    condition     = can(regex("^[^:]+(:[0-9]+)?/[^:]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must be <registry>/<repository>:<tag> with an immutable tag (not latest)."
  }
}

variable "upstream_url" {
  description = "API Gateway stage URL nginx proxies /api/ to (https://<id>.execute-api.<region>.amazonaws.com/<stage>)."
  type        = string

  validation {
    condition     = can(regex("^https://[A-Za-z0-9.-]+(/[A-Za-z0-9_-]+)*/?$", var.upstream_url))
    error_message = "upstream_url must be an https:// URL without query or fragment."
  }
}

variable "customer_host_pattern" {
  description = "Customer subdomains, {customer}.<domain> (e.g. {customer}.hotels.example.com): nginx maps every customer's subdomain by one regex, no per-host configuration; null maps none. Custom domains come from the registry (reservations tenants hosts add)."
  type        = string
  default     = null

  validation {
    condition     = var.customer_host_pattern == null || can(regex("^\\{customer\\}(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?){2,}$", coalesce(var.customer_host_pattern, "x")))
    error_message = "customer_host_pattern must be {customer}.<domain>, e.g. {customer}.hotels.example.com (lower-case DNS labels)."
  }
}

variable "registry_table" {
  description = "The customer registry's DynamoDB table, whose custom domains (HOSTS items) the pods' sync reads."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.registry_table))
    error_message = "registry_table must be a DynamoDB table name."
  }
}

variable "region" {
  description = "AWS region of the registry table."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as us-east-1."
  }
}

variable "replicas" {
  description = "Minimum (and initial) number of nginx pods."
  type        = number
  default     = 2

  validation {
    condition     = var.replicas >= 2
    error_message = "replicas must be at least 2 so the disruption budget can keep one running."
  }
}

variable "max_replicas" {
  description = "Most pods the autoscaler may run."
  type        = number
  default     = 6

  validation {
    condition     = var.max_replicas >= 2
    error_message = "max_replicas must be at least 2."
  }
}

variable "target_cpu_utilization" {
  description = "Average CPU utilisation (percent of requests) the autoscaler aims for."
  type        = number
  default     = 70

  validation {
    condition     = var.target_cpu_utilization >= 10 && var.target_cpu_utilization <= 100
    error_message = "target_cpu_utilization must be between 10 and 100."
  }
}

variable "rate_limit_per_sec" {
  description = "Requests per second one client address may make (nginx limit_req)."
  type        = number
  default     = 20

  validation {
    condition     = var.rate_limit_per_sec >= 1 && floor(var.rate_limit_per_sec) == var.rate_limit_per_sec
    error_message = "rate_limit_per_sec must be a whole number, at least 1 (nginx takes whole requests per second)."
  }
}

variable "rate_limit_burst" {
  description = "Burst above the rate a client address may make before getting 429."
  type        = number
  default     = 40

  validation {
    condition     = var.rate_limit_burst >= 0 && floor(var.rate_limit_burst) == var.rate_limit_burst
    error_message = "rate_limit_burst must be a whole number, not negative."
  }
}

variable "resources" {
  description = "CPU and memory requests and limits of each nginx container."
  type = object({
    cpu_request    = optional(string, "100m")
    memory_request = optional(string, "64Mi")
    cpu_limit      = optional(string, "500m")
    memory_limit   = optional(string, "128Mi")
  })
  default = {
    cpu_request    = "100m"
    memory_request = "64Mi"
    cpu_limit      = "500m"
    memory_limit   = "128Mi"
  }
}

variable "certificate_arn" {
  description = "ACM certificate (in the cluster's region) the load balancer terminates TLS on 443 with; it must cover the customers' host names. Port 80 only redirects to https."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "edge_header_name" {
  description = "Header nginx sends to the API with edge_header_value (the API's WAF refuses requests without it when the main root's edge_secret_arn is set)."
  type        = string
  default     = "x-reservations-edge"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,63}$", var.edge_header_name))
    error_message = "edge_header_name must be a lower-case header name."
  }
}

variable "edge_header_value" {
  description = "Secret value of edge_header_name (from Secrets Manager); null sends no header."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.edge_header_value == null || can(regex("^[A-Za-z0-9+/=_.-]{32,}$", coalesce(var.edge_header_value, "x")))
    error_message = "edge_header_value must be at least 32 characters of letters, digits and + / = _ . - (it is written into an nginx directive)."
  }
}
