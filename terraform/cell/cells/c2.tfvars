# Cell c2: a second account and Region, identical otherwise. What is the cell's own: the account it
# deploys into, its Region, its names (the Terraform Cloud workspaces too: one state per cell), its
# network and the ARNs that name its account.
#   terraform -chdir=terraform/cell workspace select -or-create c2
#   terraform -chdir=terraform/cell apply -var-file=cells/c2.tfvars
account_id = "210987654321"
region     = "eu-west-1"
name       = "reservations-c2"

cluster_name                               = "reservations-c2"
vpc_id                                     = "vpc-0c2c2c2c2c2c2c2c2"
subnet_ids                                 = ["subnet-0c2000000000000a1", "subnet-0c2000000000000a2"]
cluster_node_subnet_ids                    = ["subnet-0c2000000000000b1", "subnet-0c2000000000000b2"]
cluster_endpoint_client_security_group_ids = ["sg-0c2c2c2c2c2c2c2c2"]
terraform_run_role_arn                     = "arn:aws:iam::210987654321:role/terraform-cloud-runs"
cluster_admin_role_arns                    = ["arn:aws:iam::210987654321:role/platform-admin"]

tfc_workspace        = "reservations-prod-c2"
tfc_edge_workspace   = "reservations-prod-c2-edge"
tfc_token_secret_arn = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:reservations/tfc-token-C2c2C2"

source_auth = {
  type     = "CODECONNECTIONS"
  resource = "arn:aws:codeconnections:eu-west-1:210987654321:connection/0c2e2d3c-4b5a-6978-8796-a5b4c3d2e1c2"
}

backup = {
  schedule            = "cron(0 5 ? * * *)"
  retention_days      = 90
  copy_vault_arn      = "arn:aws:backup:eu-central-1:210987654321:backup-vault:reservations-tables-copy"
  copy_retention_days = 35
}
synthetic_check = {
  edge_url = "https://c2-canary.hotels.example.com"
  schedule = "cron(0 8 ? * MON-FRI *)"
}
