# What only the control account's root knows besides providers.tf (a link to the cell root's: the
# account, its deployment role, the provider): how its provider names its session and tags. Every
# other input is the directory module's (variables.tf is a link to ../modules/directory/variables.tf:
# each variable is declared once), passed on in main.tf.

locals {
  session_name = "terraform-${var.name}-control"
  tags         = merge({ "project" = "reservations", "managed-by" = "terraform" }, var.tags)
}
