# The edge pods' custom-domain sync (`reservations edge sync`, a container beside nginx in
# terraform/modules/edge) reads the registry's HOSTS partition and nothing else: GetItem on its change
# counter, Query for the hosts (dynamodb:LeadingKeys keeps every key hash and customer item out of
# reach); in front of cells it may also assume the control account's directory read role. EKS Pod
# Identity gives the pods this role: terraform/edge associates it with the edge's
# service account, reading its ARN from the handoff parameter.

data "aws_iam_policy_document" "edge_sync_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "edge_sync" {
  name               = "${var.name}-edge-sync"
  description        = "The edge pods' custom-domain sync: reads the registry's HOSTS partition."
  assume_role_policy = data.aws_iam_policy_document.edge_sync_trust.json
}

data "aws_iam_policy_document" "edge_sync" {
  statement {
    sid       = "ReadTheCustomDomainsOnly"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [module.registry_table.arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = ["HOSTS"]
    }
  }
  statement {
    sid       = "DecryptTheRegistryThroughDynamoDB"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.region}.amazonaws.com"]
    }
  }
  # In front of cells: the directory sync (src/reservations/cells/edge_sync.py) reads the control
  # account's directory as its read role (stores/dynamodb_assumed.py), which trusts this role by name.
  dynamic "statement" {
    for_each = var.directory_read_role_arn == null ? [] : [var.directory_read_role_arn]
    content {
      sid       = "AssumeTheDirectoryReadRole"
      actions   = ["sts:AssumeRole"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "edge_sync" {
  name   = "read-custom-domains"
  role   = aws_iam_role.edge_sync.id
  policy = data.aws_iam_policy_document.edge_sync.json
}
