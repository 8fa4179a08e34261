# The cells' directory in the control account (docs/cells.md): one DynamoDB table exactly as
# src/reservations/stores/dynamodb_directory.py uses it, the key that encrypts it, a read-only role
# that each cell's edge assumes from its own account, and the role that onboarding and moves write
# it with. Each role holds exactly the calls the adapter makes on its path
# (tests/security/test_directory_grants.py records them against moto's server).

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  table_name = "${var.table_prefix}reservations-directory"

  # The edge's path (cells.routing.MapCache): version() is a GetItem, placements() a Scan, hosts() a Query.
  read_actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]
  # Onboarding and moves: every write is a TransactWriteItems, authorised as the action of each item
  # (place: Put + Update of the version; begin/finish_move: Update; remove: Delete; add_host: a
  # ConditionCheck and Puts; remove_host: Deletes), and each reads first.
  write_actions = concat(local.read_actions, [
    "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
  ])
}

resource "aws_kms_key" "directory" {
  description             = "${var.name}: the cells' directory at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = var.tags
}

resource "aws_kms_alias" "directory" {
  name          = "alias/${var.name}-directory"
  target_key_id = aws_kms_key.directory.key_id
}

# The key policy delegates to the control account's IAM, as AWS's default does: the two roles below
# get use of the key through their own policies, only through DynamoDB.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:This is a key policy: its Resource "*" is the key itself, and write access goes to the account's IAM, which grants it per role below.
  #checkov:skip=CKV_AWS_356:This is a key policy: Resource "*" can only mean the key the policy is attached to.
  #checkov:skip=CKV_AWS_109:This is a key policy: "kms:*" for the account root delegates key administration to IAM, as AWS's default key policy does; without it the key would be unmanageable.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

# The same table as a customer's or the registry: pk/sk strings, on-demand, point-in-time recovery,
# a customer-managed key, deletion protection. No TTL: nothing in the directory expires.
module "table" {
  source = "../customer_table"

  table_name          = local.table_name
  kms_key_arn         = aws_kms_key.directory.arn
  deletion_protection = var.deletion_protection
  tags                = var.tags
}

# Read: assumed from the cells' accounts, by their edge roles only (the trust names the accounts and
# the roles' names; each cell's own IAM must also let its edge role call sts:AssumeRole on it).
data "aws_iam_policy_document" "read_trust" {
  statement {
    sid     = "TheCellsEdgeRoles"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [for id in var.cell_account_ids : "arn:${local.partition}:iam::${id}:root"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = flatten([for id in var.cell_account_ids : [for n in var.reader_role_names : "arn:${local.partition}:iam::${id}:role/${n}"]])
    }
  }
}

resource "aws_iam_role" "read" {
  name                 = "${var.name}-directory-read"
  description          = "The cells' edges: read the directory (placements, hosts, version), nothing else."
  assume_role_policy   = data.aws_iam_policy_document.read_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ReadTheDirectory"
    actions   = local.read_actions
    resources = [module.table.arn]
  }
  statement {
    sid       = "DecryptTheDirectoryThroughDynamoDB"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.directory.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "read" {
  name   = "read-the-directory"
  role   = aws_iam_role.read.id
  policy = data.aws_iam_policy_document.read.json
}

# Write: onboarding (writes the directory last), delete (first) and moves (mark, switch).
data "aws_iam_policy_document" "write_trust" {
  statement {
    sid     = "OnboardingAndMoves"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.writer_principal_arns
    }
  }
}

resource "aws_iam_role" "write" {
  name                 = "${var.name}-directory-write"
  description          = "Onboarding and moves: place, move and remove customers and their hosts in the directory."
  assume_role_policy   = data.aws_iam_policy_document.write_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "write" {
  statement {
    sid       = "ReadAndWriteTheDirectory"
    actions   = local.write_actions
    resources = [module.table.arn]
  }
  statement {
    sid       = "UseTheDirectoryKeyThroughDynamoDB"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.directory.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "write" {
  name   = "write-the-directory"
  role   = aws_iam_role.write.id
  policy = data.aws_iam_policy_document.write.json
}
