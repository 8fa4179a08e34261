# One cell is one account and Region (docs/cells.md). Terraform runs with the credentials of the
# deploying account (the control account, or Terraform Cloud's dynamic credentials) and assumes the
# cell's deployment role; a single-account deployment (account_id = null) uses its credentials as they are.
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
      session_name = "terraform-${var.name}"
    }
  }

  default_tags {
    tags = local.tags
  }
}
