# The control root planned against the mocked AWS provider with its example values: the directory in
# the control account's Region, readable from both cells' accounts. The mocked provider stands in for
# the assumed role; only a real account checks it (docs/cells.md).

mock_provider "aws" {
  source = "../modules/cell/tests/mocks"
}

variables {
  account_id            = "999988887777"
  region                = "us-east-1"
  cell_account_ids      = ["123456789012", "210987654321"]
  writer_principal_arns = ["arn:aws:iam::999988887777:role/reservations-operator"]
}

run "the_directory_is_planned_in_the_control_account" {
  command = apply

  assert {
    condition     = output.directory_table_name == "reservations-directory"
    error_message = "The directory's table is not the one the code reads."
  }
  assert {
    condition     = output.account_id == "999988887777" && output.region == "us-east-1"
    error_message = "The directory is not planned in the control account and its Region."
  }
  assert {
    condition     = output.directory_read_role_arn != "" && output.directory_write_role_arn != ""
    error_message = "The read and write roles are missing."
  }
}

run "a_bad_account_is_refused" {
  command = plan

  variables {
    account_id = "12345"
  }

  expect_failures = [var.account_id]
}
