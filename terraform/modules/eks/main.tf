# The EKS cluster the nginx edge runs on: control plane, one managed node group, their IAM roles,
# and the opt-in tag the cost scheduler checks.  No deletion protection, because the scheduler
# deletes and this configuration recreates the cluster every working day; the data lives in
# DynamoDB, not here.

data "aws_partition" "current" {}

data "aws_subnets" "tagged" {
  count = length(var.subnet_ids) == 0 ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [var.vpc_id]
  }
  filter {
    name   = "tag-key"
    values = ["kubernetes.io/role/internal-elb", "kubernetes.io/role/elb"]
  }
}

locals {
  subnet_ids      = length(var.subnet_ids) > 0 ? var.subnet_ids : data.aws_subnets.tagged[0].ids
  node_subnet_ids = length(var.node_subnet_ids) > 0 ? var.node_subnet_ids : local.subnet_ids
  # Cluster admins are granted by access entries only (bootstrap_cluster_creator_admin_permissions is
  # off: together with an explicit entry for the creator, EKS answers 409 on create).
  admin_role_arns = distinct(compact(concat(var.admin_role_arns, [var.terraform_run_role_arn])))
  partition       = data.aws_partition.current.partition
  schedule_tags   = var.schedule_opt_in ? { "reservations/schedule" = "enabled" } : {}
}

# ---------------------------------------------------------------------------------------------------
# IAM roles of the control plane and the nodes
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.cluster_name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

# Envelope encryption of Kubernetes secrets: the control plane's role must use the key (the key
# policy delegates to IAM), or cluster creation fails with AccessDenied on kms:CreateGrant.
data "aws_iam_policy_document" "cluster_kms" {
  statement {
    sid       = "SecretsEncryptionKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants", "kms:CreateGrant"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_kms" {
  name   = "secrets-encryption-key"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_kms.json
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.cluster_name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

# ---------------------------------------------------------------------------------------------------
# Control plane
# ---------------------------------------------------------------------------------------------------
resource "aws_cloudwatch_log_group" "cluster" {
  # EKS writes here (/aws/eks/<name>/cluster); created first so retention and encryption apply.
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  version  = var.cluster_version
  role_arn = aws_iam_role.cluster.arn

  # Standard support only: a version that slips into extended support would bill six times the
  # control-plane rate; with STANDARD, EKS upgrades the cluster instead.
  upgrade_policy {
    support_type = "STANDARD"
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids              = local.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = length(var.endpoint_public_access_cidrs) > 0
    public_access_cidrs     = length(var.endpoint_public_access_cidrs) > 0 ? var.endpoint_public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = var.kms_key_arn
    }
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  tags = local.schedule_tags

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
    aws_cloudwatch_log_group.cluster,
  ]
}

# The endpoint is private (public only for the CIDRs given): the runs that manage the cluster's
# Kubernetes objects (a Terraform Cloud agent in the VPC) reach it on 443 through these groups.
resource "aws_vpc_security_group_ingress_rule" "endpoint" {
  for_each = toset(var.endpoint_client_security_group_ids)

  security_group_id            = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "Kubernetes API from ${each.value} (Terraform runs)"
}
resource "aws_eks_access_entry" "admin" {
  for_each = toset(local.admin_role_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = toset(local.admin_role_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.admin]
}

# ---------------------------------------------------------------------------------------------------
# Nodes and add-ons (metrics-server feeds the edge's HorizontalPodAutoscaler)
# ---------------------------------------------------------------------------------------------------
resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "default"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = local.node_subnet_ids
  instance_types  = var.node_group.instance_types
  ami_type        = "AL2023_x86_64_STANDARD"
  capacity_type   = "ON_DEMAND"
  disk_size       = var.node_group.disk_size_gb

  scaling_config {
    min_size     = var.node_group.min_size
    desired_size = var.node_group.desired_size
    max_size     = var.node_group.max_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = local.schedule_tags

  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

resource "aws_eks_addon" "this" {
  # eks-pod-identity-agent: the edge's custom-domain sync gets its AWS role through EKS Pod Identity.
  for_each = toset(["vpc-cni", "kube-proxy", "coredns", "metrics-server", "eks-pod-identity-agent"])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  configuration_values        = each.key == "vpc-cni" ? jsonencode({ enableNetworkPolicy = "true" }) : null
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  depends_on = [aws_eks_node_group.default]
}
