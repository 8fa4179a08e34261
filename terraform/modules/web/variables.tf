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

  # fileset() of a missing directory is empty, which would plan to delete every page object: refuse.
  validation {
    condition     = fileexists("${var.source_dir}/index.html")
    error_message = "source_dir must be the page's directory (holding index.html); with Terraform Cloud, the workspace's working directory must be terraform/ so that ../web is uploaded."
  }
}

variable "api_origin" {
  description = "Origin of the API (https://<id>.execute-api.<region>.amazonaws.com), allowed by the page's Content-Security-Policy. Separate from api_base_url so the distribution does not wait for the stage (whose functions allow the page's origin)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+$", var.api_origin))
    error_message = "api_origin must be https://host with no path."
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
