terraform {
  required_version = ">= 1.7.0" # mock_provider with source (terraform test), as terraform/cell

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }

  # One state for the control account, apart from every cell's (docs/cells.md): a Terraform Cloud
  # workspace of its own, e.g.
  #
  # cloud {
  #   hostname     = "app.terraform.io"
  #   organization = "my-org"
  #   workspaces {
  #     name = "reservations-prod-control"
  #   }
  # }
}
