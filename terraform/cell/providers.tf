# One account per root (docs/cells.md): a cell's, or the control account's (terraform/control links
# this file, so both reach their account the same way). Terraform runs with the credentials of the
# deploying account (the control account, or Terraform Cloud's dynamic credentials) and assumes the
# account's deployment role; allowed_account_ids makes a plan with another account's credentials fail
# instead of deploying there. A single-account deployment (account_id = null) uses its credentials as
# they are. Each root sets local.session_name and local.tags.
# Only the AWS provider: the Kubernetes objects of the edge live in their own root module
# (terraform/edge), because a kubernetes provider configured from a cluster created in the same
# configuration fails whenever that cluster does not exist yet (or has been torn down for the night).
provider "aws" {
  region              = var.region
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  dynamic "assume_role" {
    for_each = var.account_id == null ? [] : [var.account_id]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.deploy_role_name}"
      session_name = local.session_name
    }
  }

  default_tags {
    tags = local.tags
  }
}

variable "account_id" {
  description = "The account this root deploys into (12 digits): the cell's, or the control account's for terraform/control; null deploys into the account of the credentials Terraform runs with (one account, no assumed role)."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits, or null."
  }
}

variable "deploy_role_name" {
  description = "Role in that account that Terraform assumes (created with the account, e.g. by an Organizations StackSet); used only when account_id is set."
  type        = string
  default     = "reservations-deploy"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.deploy_role_name))
    error_message = "deploy_role_name must be an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)."
  }
}

variable "partition" {
  description = "AWS partition of that account (aws, aws-cn, aws-us-gov): the ARN of the role assumed."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}
