# Errors API Gateway produces itself (before or instead of a function) answer in the same JSON
# shape as the functions: {"error": {"code": ..., "message": ...}}, with the request id.

locals {
  gateway_responses = {
    UNAUTHORIZED                   = { status = "401", code = "unauthenticated", message = "\"missing or unknown API key, or no X-Customer header\"" }
    ACCESS_DENIED                  = { status = "403", code = "forbidden", message = "\"this API key may not act for that customer\"" }
    INVALID_API_KEY                = { status = "403", code = "forbidden", message = "\"no usage plan for this customer\"" }
    MISSING_AUTHENTICATION_TOKEN   = { status = "404", code = "not_found", message = "\"no such route\"" }
    BAD_REQUEST_PARAMETERS         = { status = "400", code = "validation_error", message = "$context.error.messageString" }
    BAD_REQUEST_BODY               = { status = "400", code = "validation_error", message = "$context.error.messageString" }
    REQUEST_TOO_LARGE              = { status = "413", code = "payload_too_large", message = "\"request body too large\"" }
    THROTTLED                      = { status = "429", code = "rate_limited", message = "\"too many requests; retry later\"" }
    QUOTA_EXCEEDED                 = { status = "429", code = "rate_limited", message = "\"this customer's quota is used up for the period\"" }
    AUTHORIZER_FAILURE             = { status = "503", code = "unavailable", message = "\"the API key cannot be checked now; nothing was changed\"" }
    AUTHORIZER_CONFIGURATION_ERROR = { status = "500", code = "internal_error", message = "\"authorization failed\"" }
    INTEGRATION_FAILURE            = { status = "502", code = "bad_gateway", message = "\"the function failed\"" }
    INTEGRATION_TIMEOUT            = { status = "504", code = "gateway_timeout", message = "\"the function timed out\"" }
    DEFAULT_4XX                    = { status = null, code = "bad_request", message = "$context.error.messageString" }
    DEFAULT_5XX                    = { status = null, code = "internal_error", message = "$context.error.messageString" }
  }

  # Gateway responses cannot echo an origin conditionally, so they carry CORS headers only when a
  # single browser origin is configured (the usual case: the CloudFront page).
  gateway_cors_headers = length(var.cors_allowed_origins) == 1 ? {
    "gatewayresponse.header.Access-Control-Allow-Origin" = "'${var.cors_allowed_origins[0]}'"
    "gatewayresponse.header.Vary"                        = "'Origin'"
  } : {}
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = each.value.status

  response_templates = {
    "application/json" = "{\"error\": {\"code\": \"${each.value.code}\", \"message\": ${each.value.message}}}"
  }

  response_parameters = merge(local.gateway_cors_headers, {
    "gatewayresponse.header.X-Request-Id" = "context.requestId"
    }, each.key == "AUTHORIZER_FAILURE" ? {
    # the authorizer failed because the registry could not answer (throttled): retry shortly
    "gatewayresponse.header.Retry-After" = "'1'"
  } : {})
}

# ---------------------------------------------------------------------------------------------------
# CORS preflight: answered by API Gateway (MOCK), echoing the Origin only if it is allowed.
# ---------------------------------------------------------------------------------------------------
locals {
  # Decided by a known boolean: the origins may include the page's CloudFront URL, unknown until apply.
  cors_paths = var.enable_cors ? toset(local.route_paths) : toset([])
  cors_methods = {
    for p in local.cors_paths : p => join(",", concat(["OPTIONS"], [for r in values(local.routes) : r.method if r.path == p]))
  }
  cors_response_parameters = {
    "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,X-Api-Key,X-Customer,Idempotency-Key,X-Request-Id'"
    "method.response.header.Access-Control-Max-Age"       = "'600'"
    "method.response.header.Vary"                         = "'Origin'"
  }
  cors_template = <<-VTL
    #set($origin = $input.params().header.get("Origin"))
    #if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end
    #if(${jsonencode(var.cors_allowed_origins)}.contains("$!origin"))
    #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)
    #end
  VTL
}

resource "aws_api_gateway_method" "cors" {
  #checkov:skip=CKV_AWS_59:A CORS preflight carries no credentials by definition; the MOCK integration answers it without touching any function or data.
  #checkov:skip=CKV2_AWS_53:The preflight has no parameters or body to validate; API Gateway answers it from a fixed template.
  for_each = local.cors_paths

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "cors" {
  for_each = local.cors_paths

  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = aws_api_gateway_method.cors[each.key].resource_id
  http_method       = aws_api_gateway_method.cors[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 204}" }
}

resource "aws_api_gateway_method_response" "cors" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_method.cors[each.key].resource_id
  http_method = aws_api_gateway_method.cors[each.key].http_method
  status_code = "204"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = false
    "method.response.header.Access-Control-Allow-Methods" = true
    "method.response.header.Access-Control-Allow-Headers" = true
    "method.response.header.Access-Control-Max-Age"       = true
    "method.response.header.Vary"                         = true
  }
}

resource "aws_api_gateway_integration_response" "cors" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_method.cors[each.key].resource_id
  http_method = aws_api_gateway_method.cors[each.key].http_method
  status_code = aws_api_gateway_method_response.cors[each.key].status_code

  response_parameters = merge(local.cors_response_parameters, {
    "method.response.header.Access-Control-Allow-Methods" = "'${local.cors_methods[each.key]}'"
  })

  response_templates = {
    "application/json" = local.cors_template
  }

  depends_on = [aws_api_gateway_integration.cors]
}
