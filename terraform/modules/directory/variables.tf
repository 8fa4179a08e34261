variable "name" {
  description = "Prefix of the directory's roles and key alias (<name>-directory-read, <name>-directory-write, alias/<name>-directory)."
  type        = string
  default     = "reservations"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters an IAM role name allows (A-Z a-z 0-9 + = , . @ _ -)."
  }
}

variable "table_prefix" {
  description = "RESERVATIONS_TABLE_PREFIX of the code that reads the directory: the table is <table_prefix>reservations-directory (stores/dynamodb_directory.py)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{0,200}$", var.table_prefix))
    error_message = "table_prefix must be at most 200 characters of a-z A-Z 0-9 _ . -."
  }
}

variable "region" {
  description = "Region of the directory (the control account's): DynamoDB's endpoint in the key's kms:ViaService condition."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS Region name such as us-east-1."
  }
}

variable "cell_account_ids" {
  description = "The cells' accounts (12 digits each), whose edge roles may assume the read-only role."
  type        = list(string)

  validation {
    condition     = length(var.cell_account_ids) > 0 && alltrue([for id in var.cell_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "cell_account_ids must list at least one account, 12 digits each."
  }
}

variable "reader_role_names" {
  description = "Names (IAM wildcards allowed) of the roles in each cell account that may assume the read-only role: the edge's. The default matches every cell's edge-sync role, <cell name>-edge-sync."
  type        = list(string)
  default     = ["reservations*-edge-sync"]

  validation {
    condition     = length(var.reader_role_names) > 0 && alltrue([for n in var.reader_role_names : can(regex("^[A-Za-z0-9+=,.@_*?-]{1,64}$", n)) && n != "*"])
    error_message = "reader_role_names must list role names (wildcards allowed, but not \"*\" alone: that would be every role of the cell accounts)."
  }
}

variable "writer_principal_arns" {
  description = "Roles or users that may assume the write role: what runs onboarding and moves (`reservations tenants create/delete/move`), e.g. the control account's operator or CI role."
  type        = list(string)

  validation {
    condition     = length(var.writer_principal_arns) > 0 && alltrue([for arn in var.writer_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "writer_principal_arns must list at least one IAM role or user ARN (no wildcards, no account root)."
  }
}

variable "deletion_protection" {
  description = "Refuse DeleteTable: the directory is what routes every customer, and it is not recreated by a re-apply."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the table, key and roles besides the provider's default tags."
  type        = map(string)
  default     = {}
}
