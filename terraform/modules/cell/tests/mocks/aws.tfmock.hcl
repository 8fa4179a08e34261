# Values the mocked AWS provider returns for computed attributes that the configuration validates or
# parses (ARNs, account and region), so a mocked apply looks like a real one. Everything else is
# Terraform's random mock value. Used by every *.tftest.hcl through `mock_provider "aws" { source }`.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:role/terraform"
    user_id    = "AROAEXAMPLE:terraform"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_region" {
  defaults = {
    name        = "us-east-1"
    description = "US East (N. Virginia)"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_subnets" {
  defaults = {
    ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:mock"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock/invocations"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:mock:1"
    version       = "1"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:mock"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:mock"
  }
}

mock_resource "aws_scheduler_schedule" {
  defaults = {
    arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/mock"
  }
}

mock_resource "aws_scheduler_schedule_group" {
  defaults = {
    arn = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/mock"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn = "arn:aws:s3:::mock"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock"
  }
}

mock_resource "aws_api_gateway_rest_api" {
  defaults = {
    id               = "a1b2c3d4e5"
    root_resource_id = "r00t000000"
    execution_arn    = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
  }
}

mock_resource "aws_api_gateway_stage" {
  defaults = {
    arn        = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/v1"
    invoke_url = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/E2MOCK"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/mock/00000000"
  }
}

mock_resource "aws_eks_cluster" {
  defaults = {
    arn      = "arn:aws:eks:us-east-1:123456789012:cluster/mock"
    endpoint = "https://MOCK.gr7.us-east-1.eks.amazonaws.com"
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:us-east-1:123456789012:repository/mock"
    repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mock"
  }
}

mock_resource "aws_codebuild_project" {
  defaults = {
    arn = "arn:aws:codebuild:us-east-1:123456789012:project/mock"
  }
}

mock_data "aws_secretsmanager_secret_version" {
  defaults = {
    secret_string = "mock-edge-secret-0123456789abcdefghijklmnopqrstuvwxyz"
  }
}

mock_resource "aws_lambda_alias" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock:live"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock:live/invocations"
  }
}

mock_resource "aws_backup_vault" {
  defaults = {
    arn = "arn:aws:backup:us-east-1:123456789012:backup-vault:mock"
  }
}

mock_resource "aws_backup_plan" {
  defaults = {
    arn = "arn:aws:backup:us-east-1:123456789012:backup-plan:mock"
  }
}

mock_resource "aws_cloudwatch_event_connection" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:connection/mock/00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_cloudwatch_event_api_destination" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:api-destination/mock/00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/mock"
  }
}

# Code integrity: Lambda reports the sha256 of the code it stored, and the lambda_function module's
# postcondition compares it with the build's source_code_hash. The mocked Lambda "stores" exactly
# the builds of cell/terraform.tfvars.example (and of the deploy guide's step 3, which
# records the same hashes); tests/operations.tftest.hcl proves a different zip fails the apply.
override_resource {
  target = module.function["list"].aws_lambda_function.this
  values = { code_sha256 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" }
}

override_resource {
  target = module.function["add"].aws_lambda_function.this
  values = { code_sha256 = "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=" }
}

override_resource {
  target = module.function["delete"].aws_lambda_function.this
  values = { code_sha256 = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=" }
}

override_resource {
  target = module.function["authorizer"].aws_lambda_function.this
  values = { code_sha256 = "f1nUZxHgb6R9BKuOz5RhxwNdhqWNpXyLkRo9cpVNUY0=" }
}

override_resource {
  target = module.function["cluster-down"].aws_lambda_function.this
  values = { code_sha256 = "uQ4iJk8KTU1E1IaZ9HzwRXnAr4O1vdvoQu3x9ZmZ1SA=" }
}

override_resource {
  target = module.function["cluster-up"].aws_lambda_function.this
  values = { code_sha256 = "3+n6r1xZ4xWpmnbGZtG0YKk8VpdxRxaAvt6GVJCNkto=" }
}

override_resource {
  target = module.function["change"].aws_lambda_function.this
  values = { code_sha256 = "Tb8YMnd+Dwld/qf3rLIohyiFLgqIt7+XQBqQ/dAp67k=" }
}

override_resource {
  target = module.function["list-rooms"].aws_lambda_function.this
  values = { code_sha256 = "chfrH04Ezof6iE83DTN2jUYELWdTkc5SdcLM2yQjgzc=" }
}

override_resource {
  target = module.function["put-room"].aws_lambda_function.this
  values = { code_sha256 = "FAgqIs7w+42dQMPylr75/3DOa3XX4v2G4MV2InbvYmM=" }
}

override_resource {
  target = module.function["delete-room"].aws_lambda_function.this
  values = { code_sha256 = "X2hugmGHenbLiQ7GAE1MemaqiGJ3e+8Juy82CXYya84=" }
}

override_resource {
  target = module.function["availability"].aws_lambda_function.this
  values = { code_sha256 = "Oi0Rtol7zWwnl/5ooBZC43XO9rHrkVwIIBGsKRsO7Uk=" }
}

override_resource {
  target = module.function["room-calendar"].aws_lambda_function.this
  values = { code_sha256 = "bs/PD9l8Ra8TjpvRcicxziQO7YPFn74ZA8mfxnZZ/bE=" }
}

override_resource {
  target = module.function["calendar-feed"].aws_lambda_function.this
  values = { code_sha256 = "Khd8+fvQG5ikzZ9Q4L9MnlANhL3dNmKvkmwTKSMcDqg=" }
}

override_resource {
  target = module.function["channel-sync"].aws_lambda_function.this
  values = { code_sha256 = "nA5L9avyKqBYArMRha6srC9u6ufTh2EMiYPQLojg7MA=" }
}

override_resource {
  target = module.function["tenants-admin"].aws_lambda_function.this
  values = { code_sha256 = "rlmLhYTGLRNgECzRrqbwbLdP2T5pnXIi11x8z6P80CA=" }
}
