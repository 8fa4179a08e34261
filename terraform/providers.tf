provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# The edge is applied against the cluster this configuration creates, so recreating the cluster
# (the scheduler's "up" run) restores nginx in the same run with no manual kubectl step.  The token
# comes from the AWS API (as `aws eks get-token` does) so Terraform Cloud runners need no AWS CLI.
data "aws_eks_cluster_auth" "this" {
  name = module.eks.cluster_name
}

provider "kubernetes" {
  host                   = module.eks.cluster_endpoint
  cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)
  token                  = data.aws_eks_cluster_auth.this.token
}
