# The values every cell shares (cell/terraform.tfvars.example, the -var-file of
# scripts/terraform-check) applied in full against the mocked AWS provider, then checked: every
# catalogue route deployed with a scoped invoke permission, the registry (no table per customer), the scheduler on.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "complete_example_applies" {
  command = apply

  # Every route of every catalogue function, and nothing else.
  assert {
    condition = toset(keys(output.routes)) == toset(flatten([
      for name, f in var.functions : [for r in f.routes : "${r.method} ${r.path}"]
    ]))
    error_message = "Deployed routes differ from the catalogue's."
  }

  assert {
    condition     = alltrue([for key, fn in output.routes : contains(keys(var.functions), fn)])
    error_message = "A route is served by a function that is not in the catalogue."
  }

  # Each route's permission names its own method and path (path parameters as *), never the whole API.
  assert {
    condition = alltrue([
      for key, arn in module.rest_api.invoke_permissions :
      endswith(arn, "/*/${split(" ", key)[0]}${replace(split(" ", key)[1], "/\\{[^}]+\\}/", "*")}")
    ])
    error_message = "An invoke permission is not scoped to its route."
  }
  assert {
    condition     = length(module.rest_api.invoke_permissions) == length(output.routes)
    error_message = "Not every route has an invoke permission."
  }

  # Only the calendar feed goes without the authorizer (channels cannot send a key; its token is
  # the right to read): every other route is CUSTOM.
  assert {
    condition     = [for key, a in module.rest_api.route_authorization : key if a == "NONE"] == ["GET /calendars/{token}"]
    error_message = "A route other than the calendar feed skips the authorizer."
  }

  # The channel sync runs every 15 minutes, and its conflicts are alarmed.
  assert {
    condition     = module.channel_sync.schedule_expression == "rate(15 minutes)" && module.channel_sync.conflicts_alarm_name == "${var.name}-channel-sync-conflicts"
    error_message = "The channel sync must run every 15 minutes with an alarm on conflicts."
  }

  # The registry, named as the store expects; no table per customer (`tenants create` makes those).
  assert {
    condition     = output.registry_table == "${var.table_prefix}reservations-customers"
    error_message = "The registry table is not named as the store expects."
  }

  # Every catalogue function deployed, under the deployment's name.
  assert {
    condition     = output.function_names == { for name in keys(var.functions) : name => "${var.name}-${name}" }
    error_message = "Not every catalogue function is deployed."
  }

  # Terraform Cloud is configured in the example, so the schedules run; the web page's origin is CORS-allowed.
  assert {
    condition     = module.cluster_scheduler.schedule_states == { down = "ENABLED", up = "ENABLED" }
    error_message = "With a Terraform Cloud workspace the schedules must be enabled."
  }
  assert {
    condition     = contains(local.cors_allowed_origins, "https://d111111abcdef8.cloudfront.net")
    error_message = "The page's CloudFront origin is not allowed by CORS."
  }
  assert {
    condition     = length(module.rest_api.cors_paths) > 0
    error_message = "CORS preflights are not answered although the page is deployed."
  }

  # The edge's root module reads what it needs from here.
  assert {
    condition = jsondecode(aws_ssm_parameter.edge_handoff.value) == {
      cluster_name       = var.cluster_name
      upstream_url       = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1"
      image_repository   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mock"
      edge_secret_arn    = null
      edge_header_name   = "x-reservations-edge"
      registry_table     = "${var.table_prefix}reservations-customers"
      edge_sync_role_arn = aws_iam_role.edge_sync.arn
    }
    error_message = "The edge handoff parameter must carry the cluster, upstream, repository and edge header, and nothing that grows with customers."
  }

  # Without edge_secret_arn the API takes direct calls (the page on CloudFront makes them).
  assert {
    condition     = !module.rest_api.edge_only_rule
    error_message = "The edge-only WAF rule must be off unless edge_secret_arn is set."
  }

  # SnapStart is an option, off unless asked for (its cache is billed).
  assert {
    condition     = !anytrue([for name, f in module.function : f.snap_start])
    error_message = "SnapStart must be off by default."
  }

  # EKS: admins by access entries only, the Terraform runs' role among them.
  assert {
    condition     = contains(module.eks.admin_role_arns, var.terraform_run_role_arn)
    error_message = "The Terraform run role has no access entry."
  }
}
