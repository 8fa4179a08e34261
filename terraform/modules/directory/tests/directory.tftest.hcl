# The directory module planned and applied against the mocked AWS provider: the table is the one the
# adapter names and keys, encrypted and recoverable; the read role is for the cells' edge roles and
# reads only; the write role is for the named principals. A bad input is refused by its validation.

mock_provider "aws" {
  source = "../cell/tests/mocks"
}

variables {
  region                = "us-east-1"
  cell_account_ids      = ["123456789012", "210987654321"]
  writer_principal_arns = ["arn:aws:iam::111122223333:role/reservations-operator"]
}

run "the_table_is_the_adapters" {
  command = apply

  assert {
    condition     = module.table.name == "reservations-directory"
    error_message = "The table is not <prefix>reservations-directory (stores/dynamodb_directory.py)."
  }
  assert {
    condition     = output.table_name == "reservations-directory" && output.kms_key_arn == aws_kms_key.directory.arn
    error_message = "The outputs do not name the table and its key."
  }
  assert {
    condition     = aws_kms_key.directory.enable_key_rotation
    error_message = "The directory's key does not rotate."
  }
}

run "a_prefix_names_the_table_as_the_code_does" {
  command = plan

  variables {
    table_prefix = "staging-"
  }

  assert {
    condition     = module.table.name == "staging-reservations-directory"
    error_message = "RESERVATIONS_TABLE_PREFIX is not the table's prefix."
  }
}

run "the_read_role_is_the_cells_edges_and_reads_only" {
  command = plan

  assert {
    condition = toset(one(data.aws_iam_policy_document.read_trust.statement[0].principals).identifiers) == toset([
      "arn:aws:iam::123456789012:root", "arn:aws:iam::210987654321:root",
    ])
    error_message = "The read role does not trust exactly the cells' accounts."
  }
  assert {
    condition = toset(one(data.aws_iam_policy_document.read_trust.statement[0].condition).values) == toset([
      "arn:aws:iam::123456789012:role/reservations*-edge-sync", "arn:aws:iam::210987654321:role/reservations*-edge-sync",
    ])
    error_message = "The read role's trust is not limited to the cells' edge roles."
  }
  assert {
    condition     = toset(data.aws_iam_policy_document.read.statement[0].actions) == toset(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"])
    error_message = "The read role may do more (or less) than the edge's reads."
  }
  assert {
    condition     = toset(one(data.aws_iam_policy_document.write_trust.statement[0].principals).identifiers) == toset(var.writer_principal_arns)
    error_message = "The write role does not trust exactly the writer principals."
  }
}

run "a_wildcard_reader_is_refused" {
  command = plan

  variables {
    reader_role_names = ["*"]
  }

  expect_failures = [var.reader_role_names]
}

run "an_account_root_writer_is_refused" {
  command = plan

  variables {
    writer_principal_arns = ["arn:aws:iam::111122223333:root"]
  }

  expect_failures = [var.writer_principal_arns]
}
