variable "table_name" {
  description = "Table name: <prefix><customer>-reservations for a customer, <prefix>reservations-customers for the registry."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 characters of a-z A-Z 0-9 _ . -."
  }
}

variable "hash_key" {
  description = "Partition key attribute (string); the dynamodb store uses pk."
  type        = string
  default     = "pk"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", var.hash_key))
    error_message = "hash_key must be an attribute name."
  }
}

variable "range_key" {
  description = "Sort key attribute (string); the dynamodb store uses sk."
  type        = string
  default     = "sk"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", var.range_key))
    error_message = "range_key must be an attribute name."
  }
}

variable "ttl_attribute" {
  description = "Attribute holding an epoch-seconds expiry (idempotency records use expires_at); null disables TTL."
  type        = string
  default     = null

  validation {
    condition     = var.ttl_attribute == null ? true : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", var.ttl_attribute))
    error_message = "ttl_attribute must be null or an attribute name."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for server-side encryption."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (a customer's bookings are not recreated by a re-apply). Turn off deliberately before removing a customer."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the table besides the provider's default tags (the backup selection's tag; a restored copy carries them over)."
  type        = map(string)
  default     = {}
}
