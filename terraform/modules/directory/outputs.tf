output "table_name" {
  description = "The directory's table: RESERVATIONS_TABLE_PREFIX + reservations-directory."
  value       = module.table.name
}

output "table_arn" {
  description = "ARN of the directory's table."
  value       = module.table.arn
}

output "kms_key_arn" {
  description = "The customer-managed key that encrypts the table."
  value       = aws_kms_key.directory.arn
}

output "read_role_arn" {
  description = "The role each cell's edge assumes to read the directory (GetItem, Query, Scan on the table)."
  value       = aws_iam_role.read.arn
}

output "write_role_arn" {
  description = "The role onboarding and moves assume to write the directory."
  value       = aws_iam_role.write.arn
}

output "read_actions" {
  description = "What the read role may do on the table (the edge's calls)."
  value       = local.read_actions
}

output "write_actions" {
  description = "What the write role may do on the table (onboarding's and moves' calls)."
  value       = local.write_actions
}
