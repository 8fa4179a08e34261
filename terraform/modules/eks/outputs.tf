output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = try(aws_eks_cluster.this.certificate_authority[0].data, null)
}

output "node_role_arn" {
  description = "Role of the managed nodes."
  value       = aws_iam_role.node.arn
}

output "subnet_ids" {
  description = "Subnets the cluster and nodes use."
  value       = local.subnet_ids
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and nodes."
  value       = try(aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, null)
}

output "admin_role_arns" {
  description = "Roles granted cluster-admin through access entries."
  value       = local.admin_role_arns
}
