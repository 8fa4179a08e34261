# docs/operating.md prices what the complete example deploys: its counts are read here from the plan,
# so the page cannot drift from the code again (it once priced six functions and 24 alarms).

mock_provider "aws" {
  source = "./tests/mocks"
}

run "the_operating_guide_counts_what_the_complete_example_deploys" {
  command = plan

  assert {
    condition     = strcontains(file("../../../docs/operating.md"), "For the complete example (${length(var.functions)} functions;")
    error_message = "docs/operating.md must price the complete example's ${length(var.functions)} functions."
  }
  assert {
    condition = strcontains(file("../../../docs/operating.md"), format(
      "| alarms: %d single-metric alarms at $0.10 | $%.2f |",
      length([for name in keys(output.alarms) : name if !strcontains(name, "-table-")]),
      length([for name in keys(output.alarms) : name if !strcontains(name, "-table-")]) * 0.1,
    ))
    error_message = "docs/operating.md must count the ${length([for name in keys(output.alarms) : name if !strcontains(name, "-table-")])} single-metric alarms this plan creates."
  }
  assert {
    condition = strcontains(file("../../../docs/operating.md"), format(
      "here: %d table", length([for name in keys(output.alarms) : name if strcontains(name, "-table-")]) / 2,
    ))
    error_message = "docs/operating.md must count the tables whose alarms this plan creates."
  }
}
