variable "name" {
  description = "Prefix of the bucket and distribution names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "source_dir" {
  description = "Directory holding the static page (index.html, js/, ...); every file is uploaded except config.json, which this module writes."
  type        = string

  validation {
    condition     = length(var.source_dir) > 0
    error_message = "source_dir must name a directory."
  }
}

variable "api_base_url" {
  description = "API base URL written to config.json (the page reads it on start)."
  type        = string

  validation {
    condition     = can(regex("^https://", var.api_base_url))
    error_message = "api_base_url must be an https:// URL."
  }
}

variable "aliases" {
  description = "Custom host names of the distribution (need acm_certificate_arn)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.aliases : can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", a))])
    error_message = "aliases must be lower-case DNS names."
  }
}

variable "acm_certificate_arn" {
  description = "ACM certificate (in us-east-1) for the aliases; null uses the cloudfront.net certificate."
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null ? true : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1 (CloudFront's region)."
  }
}

variable "price_class" {
  description = "CloudFront price class (which edge locations serve the page)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}
