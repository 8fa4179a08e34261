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
}

variable "range_key" {
  description = "Sort key attribute (string); the dynamodb store uses sk."
  type        = string
  default     = "sk"
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
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (a customer's bookings are not recreated by a re-apply). Turn off deliberately before removing a customer."
  type        = bool
  default     = true
}
