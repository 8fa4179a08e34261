# The control account, like a cell's (terraform/cell/providers.tf): Terraform assumes the deployment
# role there, and allowed_account_ids makes a plan with another account's credentials fail instead
# of putting the directory in a cell's account.
provider "aws" {
  region              = var.region
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  dynamic "assume_role" {
    for_each = var.account_id == null ? [] : [var.account_id]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.deploy_role_name}"
      session_name = "terraform-${var.name}-control"
    }
  }

  default_tags {
    tags = merge({ "project" = "reservations", "managed-by" = "terraform" }, var.tags)
  }
}
