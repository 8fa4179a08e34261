output "account_id" {
  description = "The control account the directory is in (null: the credentials' own)."
  value       = var.account_id
}

output "region" {
  description = "The directory's Region."
  value       = var.region
}

output "directory_table_name" {
  description = "The directory's table: the cells' edges and the tenants commands read it by this name."
  value       = module.directory.table_name
}

output "directory_read_role_arn" {
  description = "The role each cell's edge assumes to read the directory."
  value       = module.directory.read_role_arn
}

output "directory_write_role_arn" {
  description = "The role onboarding and moves assume to write the directory."
  value       = module.directory.write_role_arn
}
