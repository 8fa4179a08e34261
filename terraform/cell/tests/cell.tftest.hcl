# The cell root planned against the mocked AWS provider, with the values every cell shares and one
# cell's own (scripts/terraform-plan-cells runs it once per cells/<cell>.tfvars): the module gets the
# cell's account, Region and names, and the deployment is the whole catalogue. The mocked provider
# stands in for the assumed role; only a real account checks the role (docs/cells.md).

mock_provider "aws" {
  source = "../modules/cell/tests/mocks"
}

run "the_cell_plans_in_its_own_account_and_region" {
  command = plan

  assert {
    condition     = output.region == var.region && output.account_id == var.account_id
    error_message = "The cell's module is not planned for the cell's Region and account."
  }
  assert {
    condition     = output.function_names == { for name in keys(var.functions) : name => "${var.name}-${name}" }
    error_message = "The cell does not deploy every catalogue function under its own name."
  }
  assert {
    condition     = output.cluster_name == var.cluster_name && output.edge_handoff_parameter == "/${var.name}/edge/handoff"
    error_message = "The cell's cluster or edge hand-over is not named after the cell."
  }
}
