# Cell c1: the first account. A deployment from before cells keeps its names here (renaming would
# replace every resource), so c1 is terraform.tfvars's values in its own account.
#   terraform -chdir=terraform/cell workspace select -or-create c1
#   terraform -chdir=terraform/cell apply -var-file=cells/c1.tfvars
account_id = "123456789012"
region     = "us-east-1"
name       = "reservations"
