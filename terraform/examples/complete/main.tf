# A complete cell in one account: every part switched on (web page, WAF, scheduler with Terraform
# Cloud, backups with a copy, the synthetic check), values written here, nothing declared. It calls
# the module exactly as terraform/cell does, with its own provider; `terraform test` here plans it
# against the mocked provider (tests/). The function catalogue is read from the cell root's
# generated file, never retyped; the builds from lambda_builds.json here (these are an example's:
# `reservations build tfvars --out lambda_builds.json` writes real ones).

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = { project = "reservations", managed-by = "terraform", environment = "example" }
  }
}

module "cell" {
  source = "../../modules/cell"

  functions     = jsondecode(file("${path.module}/../../cell/functions.auto.tfvars.json")).functions
  lambda_builds = jsondecode(file("${path.module}/lambda_builds.json")).lambda_builds
  region        = "us-east-1"
  name          = "reservations-example"
  table_prefix  = "example_"

  tiers = {
    standard = { rate_limit = 20, burst_limit = 40 }
    premium  = { rate_limit = 100, burst_limit = 200, monthly_quota = 5000000 }
  }
  enable_web     = true
  enable_waf     = true
  web_source_dir = "${path.module}/../../../web"

  vpc_id                                     = "vpc-0123456789abcdef0"
  subnet_ids                                 = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  cluster_node_subnet_ids                    = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  cluster_endpoint_client_security_group_ids = ["sg-0123456789abcdef0"]
  terraform_run_role_arn                     = "arn:aws:iam::123456789012:role/terraform-cloud-runs"
  cluster_name                               = "reservations-example"
  cluster_endpoint_public_access_cidrs       = ["203.0.113.0/24"]
  cluster_admin_role_arns                    = ["arn:aws:iam::123456789012:role/platform-admin"]

  notification_emails  = ["ops@example.com"]
  tfc_organization     = "example-hotels"
  tfc_workspace        = "reservations-example"
  tfc_edge_workspace   = "reservations-example-edge"
  tfc_token_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reservations/tfc-token-AbCdEf"

  source_repository_url = "https://github.com/example-hotels/reservations.git"

  alarm_emails = ["oncall@example.com"]
  backup = {
    schedule            = "cron(0 5 ? * * *)"
    retention_days      = 35
    copy_vault_arn      = "arn:aws:backup:us-west-2:123456789012:backup-vault:reservations-tables-copy"
    copy_retention_days = 35
  }
  synthetic_check = {
    edge_url = "https://star.hotels.example.com"
    schedule = "cron(0 8 ? * MON-FRI *)"
  }
}
