# The deploy guide (docs/deploying.md), one run per Terraform step, in order, on one state — as an
# operator runs it. The CLI steps between them (builds, image push, customers) are exercised against
# moto by the Python tests.

mock_provider "aws" {
  source = "./tests/mocks"
}

# No builds recorded yet: step 1 comes before any build exists.
variables {
  lambda_builds = {}
}

# Step 1: `terraform apply -target=module.build -target=module.ecr`.
run "step_1_build_pipeline_and_image_repository" {
  command = apply

  plan_options {
    target = [module.build, module.ecr]
  }

  assert {
    condition     = module.build.project_name == "${var.name}-functions"
    error_message = "The CodeBuild project was not created."
  }
  # The targeted apply must also create the CodeBuild role's policy: without it the first build
  # cannot read its source or write an artifact.
  assert {
    condition     = module.iam.codebuild_role.policy_name == "build"
    error_message = "The CodeBuild role's policy is not part of the first targeted apply."
  }
  assert {
    condition     = module.ecr.repository_url != ""
    error_message = "The image repository was not created."
  }
}

# Step 3: after the builds, `reservations build tfvars --from s3://...` wrote lambda_builds; apply all.
# Each build's hash is the one the mocked Lambda reports for that function (tests/mocks), since the
# apply checks the deployed code against it.
run "step_3_apply_everything_with_the_builds" {
  command = apply

  variables {
    lambda_builds = {
      list          = { build_id = "101", source_code_hash = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" }
      add           = { build_id = "101", source_code_hash = "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=" }
      delete        = { build_id = "101", source_code_hash = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=" }
      authorizer    = { build_id = "101", source_code_hash = "f1nUZxHgb6R9BKuOz5RhxwNdhqWNpXyLkRo9cpVNUY0=" }
      cluster-down  = { build_id = "101", source_code_hash = "uQ4iJk8KTU1E1IaZ9HzwRXnAr4O1vdvoQu3x9ZmZ1SA=" }
      cluster-up    = { build_id = "101", source_code_hash = "3+n6r1xZ4xWpmnbGZtG0YKk8VpdxRxaAvt6GVJCNkto=" }
      change        = { build_id = "101", source_code_hash = "Tb8YMnd+Dwld/qf3rLIohyiFLgqIt7+XQBqQ/dAp67k=" }
      list-rooms    = { build_id = "101", source_code_hash = "chfrH04Ezof6iE83DTN2jUYELWdTkc5SdcLM2yQjgzc=" }
      put-room      = { build_id = "101", source_code_hash = "FAgqIs7w+42dQMPylr75/3DOa3XX4v2G4MV2InbvYmM=" }
      delete-room   = { build_id = "101", source_code_hash = "X2hugmGHenbLiQ7GAE1MemaqiGJ3e+8Juy82CXYya84=" }
      availability  = { build_id = "101", source_code_hash = "Oi0Rtol7zWwnl/5ooBZC43XO9rHrkVwIIBGsKRsO7Uk=" }
      room-calendar = { build_id = "101", source_code_hash = "bs/PD9l8Ra8TjpvRcicxziQO7YPFn74ZA8mfxnZZ/bE=" }
      calendar-feed = { build_id = "101", source_code_hash = "Khd8+fvQG5ikzZ9Q4L9MnlANhL3dNmKvkmwTKSMcDqg=" }
      channel-sync  = { build_id = "101", source_code_hash = "nA5L9avyKqBYArMRha6srC9u6ufTh2EMiYPQLojg7MA=" }
      tenants-admin = { build_id = "101", source_code_hash = "rlmLhYTGLRNgECzRrqbwbLdP2T5pnXIi11x8z6P80CA=" }
    }
  }

  assert {
    condition     = length(output.function_names) == length(var.functions)
    error_message = "Not every function is deployed."
  }
  assert {
    condition     = alltrue([for name, m in module.function : strcontains(m.s3_key, "-101.zip")])
    error_message = "A function does not run the recorded build."
  }
  assert {
    condition     = output.api_url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1"
    error_message = "The API's URL is not the stage's."
  }
}
