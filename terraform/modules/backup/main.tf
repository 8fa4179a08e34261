# Backups that outlive point-in-time recovery's 35 days: a vault encrypted with the deployment's key,
# a daily plan for the registry and every customer table (selected by tag) with the retention asked for, and, when a
# vault in a second region is given, a copy of each recovery point there (copies of DynamoDB backups
# need AWS Backup's advanced DynamoDB features, an account setting: docs/operating.md). Restoring
# one customer into a new table is `reservations tenants restore` (docs/operating.md).

data "aws_partition" "current" {}

resource "aws_backup_vault" "this" {
  name        = "${var.name}-tables"
  kms_key_arn = var.kms_key_arn
}

resource "aws_backup_plan" "tables" {
  name = "${var.name}-tables"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.this.name
    schedule          = var.schedule
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = var.retention_days
    }

    dynamic "copy_action" {
      for_each = var.copy_vault_arn == null ? [] : [var.copy_vault_arn]
      content {
        destination_vault_arn = copy_action.value
        lifecycle {
          delete_after = var.copy_retention_days == null ? var.retention_days : var.copy_retention_days
        }
      }
    }
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${var.name}-backup"
  description        = "AWS Backup backs up and restores the reservations tables"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# AWS's managed policies for the service role: take backups of, and restore, the selected resources.
resource "aws_iam_role_policy_attachment" "backup" {
  for_each = toset(["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"])

  role       = aws_iam_role.backup.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/${each.value}"
}

resource "aws_backup_selection" "tables" {
  name         = "${var.name}-tables"
  plan_id      = aws_backup_plan.tables.id
  iam_role_arn = aws_iam_role.backup.arn

  # By tag only (issue #23): a list of ARNs is limited to 500 a selection and changed with every
  # customer. The registry and every customer's table carry the tag (`reservations tenants create`
  # sets it, a restored copy keeps its source's), so each is backed up without a Terraform change.
  dynamic "selection_tag" {
    for_each = var.selection_tag
    content {
      type  = "STRINGEQUALS"
      key   = selection_tag.key
      value = selection_tag.value
    }
  }
}
