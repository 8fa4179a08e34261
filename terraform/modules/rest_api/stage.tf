# Deployment, stage, logging, throttling and the WAF in front of the stage.

resource "aws_api_gateway_account" "this" {
  count = var.manage_account ? 1 : 0

  cloudwatch_role_arn = var.cloudwatch_role_arn
}

# A new deployment whenever a route, integration, authorizer, response or CORS rule changes;
# created before the old one is destroyed so the stage never points at nothing.  The trigger hashes
# what the configuration sets (and the ids, so a replaced resource redeploys), never whole resource
# objects: fields null when created read back empty, and every later apply would then replace the
# deployment with nothing changed (the provider's documentation warns of it; make
# terraform-emulator applies twice against moto's server and proves the second plan empty).
locals {
  deployment_inputs = {
    routes               = local.routes
    authorizers          = local.authorizers
    authorizer_ttl       = var.authorizer_cache_ttl_seconds
    invoke_arns          = var.function_invoke_arns
    enforce_usage_plans  = var.enforce_usage_plans
    cors_allowed_origins = var.cors_allowed_origins
    cors_methods         = local.cors_methods
    cors_template        = local.cors_template
    cors_response        = local.cors_response_parameters
    gateway_responses    = local.gateway_responses
    gateway_cors_headers = local.gateway_cors_headers
    resource_ids         = local.resource_ids
    method_ids           = { for k, m in aws_api_gateway_method.route : k => m.id }
    integration_ids      = { for k, i in aws_api_gateway_integration.route : k => i.id }
    authorizer_ids       = { for k, a in aws_api_gateway_authorizer.this : k => a.id }
    cors_method_ids      = { for k, m in aws_api_gateway_method.cors : k => m.id }
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode(local.deployment_inputs))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_integration.route,
    aws_api_gateway_integration.cors,
    aws_api_gateway_integration_response.cors,
    aws_api_gateway_gateway_response.this,
  ]
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_338:Retention is the operator's choice per log class (var.log_retention.access at the root), not one year for everything.
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.access_log_retention_days
  kms_key_id        = var.kms_key_arn
}

# API Gateway writes its execution log (logging_level ERROR below) to a group of this fixed name,
# creating it unencrypted and kept forever unless it already exists: so it is created first.
resource "aws_cloudwatch_log_group" "execution" {
  #checkov:skip=CKV_AWS_338:Retention is the operator's choice per log class (var.log_retention.access at the root), not one year for everything.
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}"
  retention_in_days = var.access_log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Responses are per customer and must reflect every write at once; a stage cache would serve stale bookings.
  #checkov:skip=CKV2_AWS_51:Clients authenticate with per-customer API keys checked by the authorizer; the backends are Lambda functions, not HTTP servers that could verify a client certificate.
  deployment_id        = aws_api_gateway_deployment.this.id
  rest_api_id          = aws_api_gateway_rest_api.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true

  # Every allowed origin, the CloudFront page's included, reaches the functions with each request
  # (event.stageVariables): the stage waits for the distribution, the functions do not.
  variables = length(var.cors_allowed_origins) > 0 ? { corsOrigins = join(",", var.cors_allowed_origins) } : {}

  # JSON access log: who (customer from the authorizer, never the key), what, how long, outcome.
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      customer           = "$context.authorizer.customer"
      latencyMs          = "$context.responseLatency"
      integrationLatency = "$context.integration.latency"
      authorizerStatus   = "$context.authorizer.status"
      errorType          = "$context.error.responseType"
    })
  }

  depends_on = [aws_api_gateway_account.this, aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Caching is off on purpose (see the stage); cache_data_encrypted is still set should it ever be turned on.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false # full request logging would record API keys
    throttling_rate_limit  = var.throttle.rate_limit
    throttling_burst_limit = var.throttle.burst_limit
    caching_enabled        = false
    cache_data_encrypted   = true
  }
}

# ---------------------------------------------------------------------------------------------------
# WAF: AWS managed rules and a per-address rate limit, logged without the API key header.
# ---------------------------------------------------------------------------------------------------
resource "aws_wafv2_web_acl" "this" {
  count = var.enable_waf ? 1 : 0

  name  = "${var.name}-api"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  # Only the nginx edge may call the API: it adds a secret header (from Secrets Manager, mounted in
  # its pods); anything else, e.g. a client that found the execute-api URL, is refused here, before
  # the authorizer or a function runs. The header is redacted from WAF's logs.
  dynamic "rule" {
    for_each = var.require_edge_header ? [1] : []
    content {
      name     = "only-through-the-edge"
      priority = 0
      action {
        block {
          custom_response {
            response_code            = 403
            custom_response_body_key = "edge-only"
          }
        }
      }
      statement {
        not_statement {
          statement {
            byte_match_statement {
              search_string         = var.edge_header_value
              positional_constraint = "EXACTLY"
              field_to_match {
                single_header {
                  name = local.edge_header_name
                }
              }
              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-edge-only"
        sampled_requests_enabled   = false # sampled requests would show the header
      }
    }
  }

  rule {
    name     = "aws-common"
    priority = 1
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
        # The API accepts bodies up to 16 KiB (the functions answer 413 beyond); the rule's 8 KiB
        # limit would turn valid requests into opaque 403s.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-anonymous-ip"
    priority = 3
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"
        # The nginx edge itself runs in AWS (its NAT address is a hosting provider's): count only.
        rule_action_override {
          name = "HostingProviderIPList"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-aws-anonymous-ip"
      sampled_requests_enabled   = true
    }
  }

  # Two rate limits: per client address as the nginx edge reports it (X-Forwarded-For, which the
  # edge overwrites with the address it sees), and a much higher one per connecting address and
  # customer, because every request through the edge arrives from the cluster's few NAT addresses.
  rule {
    name     = "per-client-rate-limit"
    priority = 4
    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate-limited"
        }
      }
    }
    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit_per_5_minutes
        aggregate_key_type = "FORWARDED_IP"
        forwarded_ip_config {
          header_name       = "X-Forwarded-For"
          fallback_behavior = "NO_MATCH"
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-client-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "per-source-rate-limit"
    priority = 5
    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate-limited"
        }
      }
    }
    statement {
      # Keyed by connecting address *and* customer: behind the edge's NAT one customer's burst must
      # not throttle every other customer (they share the address, not the key).
      rate_based_statement {
        limit              = var.waf_source_rate_limit_per_5_minutes
        aggregate_key_type = "CUSTOM_KEYS"
        custom_key {
          ip {}
        }
        custom_key {
          header {
            name = "x-customer"
            text_transformation {
              priority = 0
              type     = "LOWERCASE"
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-source-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  # Backstop for requests carrying no X-Customer (which the keyed rule cannot count): per address
  # alone, at ten times the keyed limit so that the edge's shared NAT addresses stay below it.
  rule {
    name     = "per-address-backstop"
    priority = 6
    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate-limited"
        }
      }
    }
    statement {
      rate_based_statement {
        limit              = var.waf_source_rate_limit_per_5_minutes * 10
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-address-backstop"
      sampled_requests_enabled   = true
    }
  }

  custom_response_body {
    key          = "edge-only"
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ error = { code = "forbidden", message = "this API is reached through the hotel's host name, not directly" } })
  }

  custom_response_body {
    key          = "rate-limited"
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ error = { code = "rate_limited", message = "too many requests from this address; retry later" } })
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-api"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.enable_waf ? 1 : 0

  resource_arn = aws_api_gateway_stage.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this[0].arn
}

resource "aws_cloudwatch_log_group" "waf" {
  count = var.enable_waf ? 1 : 0

  name              = "aws-waf-logs-${var.name}-api" # WAF requires the aws-waf-logs- prefix
  retention_in_days = var.audit_log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = var.enable_waf ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
  redacted_fields {
    single_header {
      name = local.edge_header_name
    }
  }
}
