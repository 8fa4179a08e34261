output "vault_name" {
  description = "The backup vault holding the tables' recovery points."
  value       = aws_backup_vault.this.name
}

output "vault_arn" {
  description = "ARN of the backup vault."
  value       = aws_backup_vault.this.arn
}

output "plan" {
  description = "The backup plan: id, schedule, retention, copy destinations, the ARNs it lists (none: by tag only) and the tag it selects by."
  value = {
    id             = aws_backup_plan.tables.id
    schedule       = one(aws_backup_plan.tables.rule[*].schedule)
    retention_days = one(one(aws_backup_plan.tables.rule[*].lifecycle)[*].delete_after)
    copy_to        = [for c in one(aws_backup_plan.tables.rule[*].copy_action) : c.destination_vault_arn]
    tables         = toset(aws_backup_selection.tables.resources == null ? [] : aws_backup_selection.tables.resources)
    selection_tags = { for t in aws_backup_selection.tables.selection_tag : t.key => t.value }
  }
}

output "restore_role_arn" {
  description = "Role AWS Backup restores with (pass it to a restore job; `reservations tenants restore` uses DynamoDB's own restore calls)."
  value       = aws_iam_role.backup.arn
}
