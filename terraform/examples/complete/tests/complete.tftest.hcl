# The complete example on its own: planned against the mocked AWS provider (the module's mock
# values), with nothing but what main.tf writes.

mock_provider "aws" {
  source = "../../modules/cell/tests/mocks"
}

run "the_complete_example_plans" {
  command = plan

  assert {
    condition     = output.cluster_name == "reservations-example"
    error_message = "The example's cluster is not the one main.tf names."
  }
  assert {
    condition     = output.edge_handoff_parameter == "/reservations-example/edge/handoff"
    error_message = "The example does not hand the edge over under its own name."
  }
}
