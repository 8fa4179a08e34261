variable "region" {
  description = "AWS region of the main root's deployment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as us-east-1."
  }
}

variable "name" {
  description = "The main root's var.name: finds its handoff parameter (/<name>/edge/handoff) and names the edge."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every AWS resource of this root."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.tags) <= 40
    error_message = "At most 40 tags."
  }
}

variable "edge" {
  description = "The nginx edge on EKS: image tag (pushed to the ECR repository), replicas and autoscaling bounds, and the per-address rate limit."
  type = object({
    image_tag          = string # pushed to the main root's ECR repository
    replicas           = optional(number, 2)
    max_replicas       = optional(number, 6)
    rate_limit_per_sec = optional(number, 20)
    rate_limit_burst   = optional(number, 40)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.edge.image_tag)) && var.edge.image_tag != "latest"
    error_message = "edge.image_tag must be a valid, immutable image tag (not \"latest\": the ECR repository refuses to move tags)."
  }
  validation {
    condition     = var.edge.replicas >= 2 && var.edge.replicas <= var.edge.max_replicas
    error_message = "edge.replicas must be at least 2 (the disruption budget keeps one) and at most edge.max_replicas."
  }
}


variable "customer_host_pattern" {
  description = "Customer subdomains, {customer}.<domain> (e.g. {customer}.hotels.example.com): the edge maps every customer's subdomain by one regex; null maps none. The certificate must cover *.<domain>."
  type        = string
  default     = null

  validation {
    condition     = var.customer_host_pattern == null || can(regex("^\\{customer\\}(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?){2,}$", coalesce(var.customer_host_pattern, "x")))
    error_message = "customer_host_pattern must be {customer}.<domain>, e.g. {customer}.hotels.example.com (lower-case DNS labels)."
  }
}

variable "certificate_arn" {
  description = "ACM certificate (same region) covering the customers' host names: the load balancer terminates TLS on 443 with it; port 80 only redirects."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "dns_records" {
  description = "Host name -> Route 53 hosted zone id: a CNAME to the edge's load balancer per host, rewritten by each run (the load balancer is new after every rebuild)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for zone in values(var.dns_records) : can(regex("^Z[A-Z0-9]{1,31}$", zone))])
    error_message = "dns_records values must be Route 53 hosted zone ids."
  }
}
