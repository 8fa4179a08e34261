# The configuration applied in the shapes operators choose: without the web page, with no customer
# yet, with three, and with local state (no Terraform Cloud). Each on its own state.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "without_the_web_page" {
  command   = apply
  state_key = "no-web"

  variables {
    enable_web           = false
    cors_allowed_origins = []
  }

  assert {
    condition     = output.web_url == null
    error_message = "web_url must be null without the page."
  }
  assert {
    condition     = length(module.web) == 0 && length(module.rest_api.cors_paths) == 0
    error_message = "Without the page and origins, nothing answers CORS preflights."
  }
  assert {
    condition     = module.function["list"].environment.RESERVATIONS_CORS_ORIGINS == ""
    error_message = "Functions must allow no browser origin without the page."
  }
}

run "zero_customers" {
  command   = apply
  state_key = "zero-customers"

  variables {
    customers = {}
  }

  assert {
    condition     = output.customer_tables == {} && output.customer_api_key_ids == {}
    error_message = "No customer must mean no table and no usage-plan key."
  }
  assert {
    condition     = output.registry_table == "${var.table_prefix}reservations-customers"
    error_message = "The registry exists even without customers."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.edge_handoff.value).tenants == {}
    error_message = "The edge maps no host without customers."
  }
}

run "three_customers" {
  command   = apply
  state_key = "three-customers"

  variables {
    customers = {
      star = { hosts = ["star.hotels.example.com"] }
      moon = { hosts = ["moon.hotels.example.com"], monthly_quota = 1000 }
      sun  = {}
    }
  }

  assert {
    condition = output.customer_tables == {
      star = "${var.table_prefix}star-reservations"
      moon = "${var.table_prefix}moon-reservations"
      sun  = "${var.table_prefix}sun-reservations"
    }
    error_message = "Each of the three customers needs its own table."
  }
  assert {
    condition     = toset(keys(output.customer_api_key_ids)) == toset(["star", "moon", "sun"])
    error_message = "Each of the three customers needs its own usage-plan key."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.edge_handoff.value).tenants == { "star.hotels.example.com" = "star", "moon.hotels.example.com" = "moon" }
    error_message = "The edge must map exactly the customers' hosts."
  }
}

run "local_state_keeps_the_schedules_off" {
  command   = apply
  state_key = "local-state"

  variables {
    tfc_organization     = null
    tfc_workspace        = null
    tfc_edge_workspace   = null
    tfc_token_secret_arn = null
  }

  assert {
    condition     = module.cluster_scheduler.schedule_states == { down = "DISABLED", up = "DISABLED" }
    error_message = "Without a Terraform Cloud workspace the nightly teardown must stay off."
  }
  assert {
    condition     = module.function["cluster-up"].environment.RESERVATIONS_TFC_WORKSPACE == ""
    error_message = "The up function must not name a workspace that is not configured."
  }
}

run "a_missing_web_directory_fails_loudly" {
  command   = plan
  state_key = "missing-web"

  variables {
    web_source_dir = "./no-such-directory"
  }

  expect_failures = [var.web_source_dir]
}

run "the_edge_as_the_only_way_in" {
  command   = apply
  state_key = "edge-only"

  variables {
    enable_web      = false
    edge_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reservations/edge-AbCdEf"
  }

  assert {
    condition     = module.rest_api.edge_only_rule
    error_message = "With edge_secret_arn the WAF must refuse requests without the edge's header."
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.edge_handoff.value).edge_secret_arn == var.edge_secret_arn
    error_message = "The edge root must learn which secret to send."
  }
  assert {
    condition     = !strcontains(aws_ssm_parameter.edge_handoff.value, "mock-edge-secret")
    error_message = "The handoff parameter (a plain String) must carry the secret's ARN, never its value."
  }
}

run "the_edge_only_mode_refuses_the_direct_page" {
  command   = plan
  state_key = "edge-only-with-page"

  variables {
    enable_web      = true
    edge_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reservations/edge-AbCdEf"
  }

  expect_failures = [aws_ssm_parameter.edge_handoff]
}

run "snap_start_for_the_request_path_only" {
  command   = apply
  state_key = "snap-start"

  variables {
    lambda_snap_start = true
  }

  assert {
    condition     = alltrue([for name, f in var.functions : module.function[name].snap_start == (f.kind != "scheduler")])
    error_message = "SnapStart must cover the API functions and the authorizer, never the scheduler's."
  }
}

run "a_host_that_is_not_fully_qualified_is_refused" {
  command   = plan
  state_key = "short-host"

  variables {
    customers = {
      star = { hosts = ["star"] }
    }
  }

  expect_failures = [var.customers]
}

# Prefixes that nest ("prod-" and "prod-eu-") let one deployment's tenant roles reach the other's
# tables; a prefix ends with '_', which no customer name holds (tests/security/test_table_prefixes.py).
run "a_table_prefix_not_ending_with_an_underscore_is_refused" {
  command   = plan
  state_key = "dash-prefix"

  variables {
    table_prefix = "prod-"
  }

  expect_failures = [var.table_prefix]
}
