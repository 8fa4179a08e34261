# A usage plan per customer (rate, burst, optional monthly quota).  The plan's key is a usage
# identifier, not a credential: api_key_source = AUTHORIZER means API Gateway takes it from the
# authorizer's usageIdentifierKey after the customer's own key (stored hashed in the registry) has
# been verified, and ignores any key a client sends.

resource "aws_api_gateway_api_key" "customer" {
  for_each = var.customers

  name        = "${var.name}-${each.key}"
  description = "Usage identifier of customer ${each.key} (not a credential)"
  value       = "${local.usage_key_prefix}${each.key}"
  enabled     = true
}

resource "aws_api_gateway_usage_plan" "customer" {
  for_each = var.customers

  name        = "${var.name}-${each.key}"
  description = "Limits of customer ${each.key}"

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = each.value.rate_limit
    burst_limit = each.value.burst_limit
  }

  dynamic "quota_settings" {
    for_each = each.value.monthly_quota == null ? [] : [each.value.monthly_quota]
    content {
      limit  = quota_settings.value
      period = "MONTH"
    }
  }
}

resource "aws_api_gateway_usage_plan_key" "customer" {
  for_each = var.customers

  key_id        = aws_api_gateway_api_key.customer[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.customer[each.key].id
}
