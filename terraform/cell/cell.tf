# What only the cell's root knows: the tags its provider puts on everything (the account it deploys
# into and how it gets there are in providers.tf). Every other input is the module's (variables.tf is a link to
# ../modules/cell/variables.tf: each variable is declared once, and this root accepts exactly what the
# module does). The values common to all cells are in terraform.tfvars; cells/<cell>.tfvars
# overrides what is the cell's own (account, Region, names, network): docs/cells.md.

variable "tags" {
  description = "Tags added to every AWS resource of the cell (through the provider's default_tags), beside project and managed-by."
  type        = map(string)
  default     = {}
}

locals {
  session_name = "terraform-${var.name}"
  # The project tag is also the budget's cost-allocation tag (budget.cost_allocation_tag).
  tags = merge({ "project" = "reservations", "managed-by" = "terraform" }, var.tags)
}
