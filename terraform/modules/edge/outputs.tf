output "namespace" {
  description = "Namespace of the edge."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "load_balancer_hostname" {
  description = "DNS name of the NLB in front of nginx (point the customers' host names here)."
  value       = try(kubernetes_service_v1.this.status[0].load_balancer[0].ingress[0].hostname, null)
}

output "nginx_conf" {
  description = "The rendered nginx.conf (for review and tests)."
  value       = local.nginx_conf
}

output "service_account" {
  description = "The pods' service account: EKS Pod Identity gives it the custom-domain sync's role."
  value       = kubernetes_service_account_v1.this.metadata[0].name
}
