# Only the AWS provider: the Kubernetes objects of the edge live in their own root module
# (terraform/edge), because a kubernetes provider configured from a cluster created in the same
# configuration fails whenever that cluster does not exist yet (or has been torn down for the night).
provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}
