# The edge pods' role may assume the control account's directory read role only when the cell is
# given it (directory_read_role_arn): in front of cells the edge reads the directory as that role;
# without it the role holds the custom-domain reads alone. The grant-vs-code check of the calls
# themselves is tests/security/test_edge_sync_grants.py.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "no_directory_no_grant" {
  command = plan

  assert {
    condition     = length([for s in data.aws_iam_policy_document.edge_sync.statement : s if contains(s.actions, "sts:AssumeRole")]) == 0
    error_message = "Without directory_read_role_arn the edge sync's role must not be able to assume any role."
  }
}

run "the_directory_read_role_and_nothing_else" {
  command = plan

  variables {
    directory_read_role_arn = "arn:aws:iam::111111111111:role/reservations-directory-read"
  }

  assert {
    condition = [
      for s in data.aws_iam_policy_document.edge_sync.statement : s.resources if contains(s.actions, "sts:AssumeRole")
      ] == [
      toset(["arn:aws:iam::111111111111:role/reservations-directory-read"])
    ]
    error_message = "The edge sync's role must be able to assume the directory read role, and only it."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.edge_sync.statement : !contains(s.actions, "sts:AssumeRole") || length(s.actions) == 1])
    error_message = "The directory statement grants sts:AssumeRole alone."
  }
}

run "a_directory_role_must_be_a_role_arn" {
  command = plan

  variables {
    directory_read_role_arn = "arn:aws:iam::111111111111:user/someone"
  }

  expect_failures = [var.directory_read_role_arn]
}
