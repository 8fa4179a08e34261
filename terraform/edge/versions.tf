terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
  }

  # Its own Terraform Cloud workspace (var.tfc_edge_workspace of the main root), run by the
  # scheduler's rebuild after the cluster workspace has recreated the cluster. Working directory:
  # terraform/edge. Uncomment and set, then `terraform login` and `terraform init`.
  #
  # cloud {
  #   hostname     = "app.terraform.io"
  #   organization = "my-org"
  #   workspaces {
  #     name = "reservations-prod-edge"
  #   }
  # }
}
