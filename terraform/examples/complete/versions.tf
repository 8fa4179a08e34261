terraform {
  required_version = ">= 1.7.0" # the root module's removed blocks

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }
}
