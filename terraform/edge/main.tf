# The nginx edge on the EKS cluster of the main root (terraform/), in its own root module and
# workspace: the Kubernetes objects and the DNS names customers use. Everything it needs from the
# main root comes from one SSM parameter that root writes (cluster, API stage URL, image repository,
# edge header), so this state never reads the other one. Customer subdomains are one pattern here;
# custom domains are registry items the pods read themselves: no host list passes through Terraform.

data "aws_ssm_parameter" "handoff" {
  name = "/${var.name}/edge/handoff"
}

locals {
  handoff = jsondecode(data.aws_ssm_parameter.handoff.value)
}

# The main root's edge_secret_arn: the value nginx must send for the API's WAF to let it through.
data "aws_secretsmanager_secret_version" "edge_header" {
  count     = local.handoff.edge_secret_arn == null ? 0 : 1
  secret_id = local.handoff.edge_secret_arn
}

module "edge" {
  source = "../modules/edge"

  name                  = "${var.name}-edge"
  image                 = "${local.handoff.image_repository}:${var.edge.image_tag}"
  upstream_url          = local.handoff.upstream_url
  customer_host_pattern = var.customer_host_pattern
  registry_table        = local.handoff.registry_table
  region                = var.region
  replicas              = var.edge.replicas
  max_replicas          = var.edge.max_replicas
  rate_limit_per_sec    = var.edge.rate_limit_per_sec
  rate_limit_burst      = var.edge.rate_limit_burst
  certificate_arn       = var.certificate_arn
  edge_header_name      = local.handoff.edge_header_name
  edge_header_value     = one(data.aws_secretsmanager_secret_version.edge_header[*].secret_string)

  cells                  = var.cells
  directory_role_arn     = var.directory_role_arn
  directory_region       = var.directory_region
  directory_table_prefix = var.directory_table_prefix
}

# The pods' custom-domain sync reads the registry with the main root's edge-sync role (edge_sync.tf).
resource "aws_eks_pod_identity_association" "sync" {
  cluster_name    = local.handoff.cluster_name
  namespace       = module.edge.namespace
  service_account = module.edge.service_account
  role_arn        = local.handoff.edge_sync_role_arn
}

# Customers' host names follow the load balancer, which is new after every nightly rebuild; this
# run (started by the rebuild) moves them, so the public names survive.
resource "aws_route53_record" "host" {
  for_each = var.dns_records

  zone_id = each.value
  name    = each.key
  type    = "CNAME"
  ttl     = 60
  records = [module.edge.load_balancer_hostname]
}
