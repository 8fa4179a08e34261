# A usage plan per tier (rate, burst, optional monthly quota): few and fixed, whatever the number of
# customers (issue #23). API Gateway applies a plan's limits to each API key in it, so every customer
# still has limits of its own: its usage key (value <prefix><customer>, an identifier, not a
# credential) is created and put in its tier's plan by `reservations tenants create`. With
# api_key_source = AUTHORIZER API Gateway takes that key from the authorizer's usageIdentifierKey,
# after the customer's own key (stored hashed in the registry) has been verified, and ignores any
# key a client sends.

resource "aws_api_gateway_usage_plan" "tier" {
  for_each = var.tiers

  name        = "${var.name}-${each.key}"
  description = "Limits of each customer of tier ${each.key}"

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
