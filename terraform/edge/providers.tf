provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ "project" = "reservations", "managed-by" = "terraform" }, var.tags)
  }
}

# The cluster is read, never created, here: it belongs to the main root's workspace. So the provider
# is configured from a cluster that already exists when this run plans (the scheduler starts this
# run only once the cluster is ACTIVE), and the token is fresh for every run (valid 15 minutes,
# enough for the edge's few objects). The token comes from the AWS API, so runners need no AWS CLI.
data "aws_eks_cluster" "this" {
  name = local.handoff.cluster_name
}

data "aws_eks_cluster_auth" "this" {
  name = local.handoff.cluster_name
}

provider "kubernetes" {
  host                   = data.aws_eks_cluster.this.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
  token                  = data.aws_eks_cluster_auth.this.token
}
