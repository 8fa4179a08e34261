# What only the cell's root knows: which account it deploys into and how it gets there, and the tags
# its provider puts on everything. Every other input is the module's (variables.tf is a link to
# ../modules/cell/variables.tf: each variable is declared once, and this root accepts exactly what the
# module does). The values common to all cells are in terraform.tfvars; cells/<cell>.tfvars
# overrides what is the cell's own (account, Region, names, network): docs/cells.md.

variable "account_id" {
  description = "The cell's AWS account (12 digits); null deploys into the account of the credentials Terraform runs with (one account, no assumed role)."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits, or null."
  }
}

variable "deploy_role_name" {
  description = "Role in the cell's account that Terraform assumes (created with the account, e.g. by an Organizations StackSet); used only when account_id is set."
  type        = string
  default     = "reservations-deploy"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.deploy_role_name))
    error_message = "deploy_role_name must be an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)."
  }
}

variable "partition" {
  description = "AWS partition of the cell's account (aws, aws-cn, aws-us-gov): the ARN of the role assumed."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "tags" {
  description = "Tags added to every AWS resource of the cell (through the provider's default_tags), beside project and managed-by."
  type        = map(string)
  default     = {}
}

locals {
  # The project tag is also the budget's cost-allocation tag (budget.cost_allocation_tag).
  tags = merge({ "project" = "reservations", "managed-by" = "terraform" }, var.tags)
}
