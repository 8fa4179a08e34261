# No provider block: whoever calls this module configures the AWS provider (terraform/cell for a
# cell, each example for itself), so one module serves every account and Region.
terraform {
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }
}
