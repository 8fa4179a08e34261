# What only the control account's root knows: which account it deploys into and how it gets there.
# Every other input is the directory module's (variables.tf is a link to
# ../modules/directory/variables.tf: each variable is declared once), passed on in main.tf.

variable "account_id" {
  description = "The control account (12 digits), which holds the directory; null deploys into the account of the credentials Terraform runs with."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits, or null."
  }
}

variable "deploy_role_name" {
  description = "Role in the control account that Terraform assumes; used only when account_id is set."
  type        = string
  default     = "reservations-deploy"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.deploy_role_name))
    error_message = "deploy_role_name must be an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)."
  }
}

variable "partition" {
  description = "AWS partition of the control account (aws, aws-cn, aws-us-gov): the ARN of the role assumed."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}
