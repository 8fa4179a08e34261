terraform {
  required_version = ">= 1.7.0" # removed blocks (issue #23 hand-over), moved blocks (issue #24: migration.tf)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }

  # Terraform Cloud / Enterprise workspace (optional, but the scheduler's "up" function needs it):
  # the cluster's configuration lives in this workspace's state, so a run started through the
  # Terraform Cloud API recreates the cluster and, with it, the nginx edge.  Uncomment, set the
  # organization and workspace (the same values as var.tfc_organization / var.tfc_workspace), then
  # `terraform login` and `terraform init`.  Without this block the state is local (or add your own
  # backend) and the scheduler can only tear the cluster down.
  #
  # cloud {
  #   hostname     = "app.terraform.io"
  #   organization = "my-org"
  #   workspaces {
  #     name = "reservations-prod-c1" # one workspace per cell
  #   }
  # }
}
