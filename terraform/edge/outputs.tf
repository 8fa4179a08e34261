output "edge_url" {
  description = "URL of the edge's load balancer (null until Kubernetes has provisioned it)."
  value       = module.edge.load_balancer_hostname == null ? null : "https://${module.edge.load_balancer_hostname}"
}

output "namespace" {
  description = "Kubernetes namespace of the edge."
  value       = module.edge.namespace
}

output "host_names" {
  description = "Host names pointed at the edge by this run."
  value       = [for r in aws_route53_record.host : r.fqdn]
}
