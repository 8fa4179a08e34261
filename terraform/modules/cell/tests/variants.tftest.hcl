# The configuration applied in the shapes operators choose: without the web page, without custom
# hosts, with two tiers, and with local state (no Terraform Cloud). Each on its own state.

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

# Channels fetch each room's feed where the edge publishes the API, not from API Gateway's own host.
run "the_public_api_url_reaches_the_functions" {
  command   = apply
  state_key = "public-url"

  variables {
    public_api_url = "https://{customer}.hotels.example.com/api"
  }

  assert {
    condition     = module.function["list-rooms"].environment.RESERVATIONS_PUBLIC_API_URL == "https://{customer}.hotels.example.com/api"
    error_message = "list-rooms must build calendar_url under the configured public URL."
  }
  assert {
    condition     = module.function["room-calendar"].environment.RESERVATIONS_PUBLIC_API_URL == "https://{customer}.hotels.example.com/api"
    error_message = "room-calendar must build the rotated calendar_url under the configured public URL."
  }
}

run "a_public_api_url_must_be_https" {
  command = plan

  variables {
    public_api_url = "http://{customer}.hotels.example.com/api?x=1"
  }

  expect_failures = [var.public_api_url]
}

# A usage plan per tier, whatever the number of customers (each customer's key joins its tier's plan
# through `reservations tenants create`, not through Terraform).
run "a_usage_plan_per_tier" {
  command   = apply
  state_key = "tiers"

  variables {
    tiers = {
      standard = { rate_limit = 20, burst_limit = 40 }
      premium  = { rate_limit = 100, burst_limit = 200, monthly_quota = 1000 }
    }
  }

  assert {
    condition     = toset(keys(output.usage_plan_ids)) == toset(["standard", "premium"])
    error_message = "Each tier needs its usage plan, and nothing else does."
  }
  assert {
    condition     = jsonencode(module.rest_api.usage_plan_limits) == jsonencode({ premium = [100, 200, 1000], standard = [20, 40, null] })
    error_message = "Each tier's plan must carry the tier's rate, burst and monthly quota."
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
    condition     = alltrue([for name, f in var.functions : module.function[name].snap_start == contains(["api", "authorizer"], f.kind)])
    error_message = "SnapStart must cover the API functions and the authorizer, never the scheduler's or the operator's."
  }
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
