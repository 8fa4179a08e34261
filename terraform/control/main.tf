# The control account: the cells' directory and its two roles (modules/directory).
module "directory" {
  source = "../modules/directory"

  name                  = var.name
  table_prefix          = var.table_prefix
  region                = var.region
  cell_account_ids      = var.cell_account_ids
  reader_role_names     = var.reader_role_names
  writer_principal_arns = var.writer_principal_arns
  deletion_protection   = var.deletion_protection
  tags                  = var.tags
}
