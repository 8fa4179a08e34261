# The REST API, built from the function catalogue: every route of every function becomes a method
# with a Lambda proxy integration, a per-route invoke permission and a REQUEST authorizer.  Nothing
# here names a route or a function; adding one to reservations.catalogue adds it here.

data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  # "METHOD /path" -> route, for every route in the catalogue.
  routes = merge([
    for function_name, f in var.functions : {
      for r in f.routes : "${r.method} ${r.path}" => {
        function = function_name
        method   = r.method
        path     = r.path
        compat   = r.compat
        public   = r.public
      }
    }
  ]...)

  route_paths = distinct([for r in values(local.routes) : r.path])

  # Every path prefix of every route ("/reservations/{id}" needs "/reservations" too), by depth.
  resource_paths = distinct(flatten([
    for p in local.route_paths : [
      for i in range(length(split("/", trimprefix(p, "/")))) :
      "/${join("/", slice(split("/", trimprefix(p, "/")), 0, i + 1))}"
    ]
  ]))
  resource_parts = { for p in local.resource_paths : p => regex("^(.*)/([^/]+)$", p) } # [parent, last segment]
  level_1        = { for p, parts in local.resource_parts : p => { part = parts[1] } if length(split("/", p)) == 2 }
  level_2        = { for p, parts in local.resource_parts : p => { part = parts[1], parent = parts[0] } if length(split("/", p)) == 3 }
  level_3        = { for p, parts in local.resource_parts : p => { part = parts[1], parent = parts[0] } if length(split("/", p)) == 4 }

  resource_ids = merge(
    { for p, r in aws_api_gateway_resource.level_1 : p => r.id },
    { for p, r in aws_api_gateway_resource.level_2 : p => r.id },
    { for p, r in aws_api_gateway_resource.level_3 : p => r.id },
  )

  # Two authorizers on the same function, because API Gateway answers 401 without calling a caching
  # authorizer when one of its identity headers is missing: the main routes carry X-Customer and
  # X-Api-Key, the original app's compatibility routes carry customer and x-api-key.
  authorizer_identity_sources = {
    main   = "method.request.header.X-Api-Key,method.request.header.X-Customer"
    compat = "method.request.header.x-api-key,method.request.header.customer"
  }
  authorizers = {
    for kind, source in local.authorizer_identity_sources : kind => source
    if contains([for r in values(local.routes) : r.compat ? "compat" : "main" if !r.public], kind)
  }

  # With api_key_source = AUTHORIZER the usage-plan key is never sent by clients: the authorizer
  # returns "<prefix><customer>" as usageIdentifierKey once the customer's real key is proven, so these
  # values identify a plan and grant nothing.
  usage_key_prefix = "${var.name}-usage-identifier-"

  # The header the nginx edge proves itself with (WAF refuses requests without its value).
  edge_header_name = "x-reservations-edge"
}

resource "aws_api_gateway_rest_api" "this" {
  name           = var.name
  description    = "Reservations API: routes from reservations.catalogue"
  api_key_source = "AUTHORIZER"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "level_1" {
  for_each = local.level_1

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level_2" {
  for_each = local.level_2

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level_1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level_3" {
  for_each = local.level_3

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level_2[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_request_validator" "parameters" {
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "parameters"
  validate_request_parameters = true
  validate_request_body       = false # the domain validates bodies, with a message per field
}

resource "aws_api_gateway_authorizer" "this" {
  for_each = local.authorizers

  name                             = "${var.name}-${each.key}"
  rest_api_id                      = aws_api_gateway_rest_api.this.id
  type                             = "REQUEST"
  authorizer_uri                   = var.function_invoke_arns[var.authorizer_function]
  identity_source                  = each.value
  authorizer_result_ttl_in_seconds = var.authorizer_cache_ttl_seconds
}

resource "aws_lambda_permission" "authorizer" {
  statement_id  = "apigateway-authorizers"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[var.authorizer_function]
  qualifier     = var.function_alias
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/authorizers/*"
}

resource "aws_api_gateway_method" "route" {
  for_each = local.routes

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.value.path]
  http_method = each.value.method
  # A public route (a channel's calendar feed: channels cannot send a key) has no authorizer and
  # no usage-plan key; its function checks the unguessable token in the path instead.
  authorization        = each.value.public ? "NONE" : "CUSTOM"
  authorizer_id        = each.value.public ? null : aws_api_gateway_authorizer.this[each.value.compat ? "compat" : "main"].id
  api_key_required     = each.value.public ? false : var.enforce_usage_plans
  request_validator_id = aws_api_gateway_request_validator.parameters.id
  request_parameters   = { for m in regexall("\\{([A-Za-z0-9_]+)\\}", each.value.path) : "method.request.path.${m[0]}" => true }
}

resource "aws_api_gateway_integration" "route" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.route[each.key].resource_id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arns[each.value.function]
}

# One permission per route, scoped to that method and path (path parameters become "*"), so a
# function can be invoked only through the routes the catalogue gives it.
resource "aws_lambda_permission" "route" {
  for_each = local.routes

  statement_id  = "apigateway-${each.value.method}-${trim(replace(each.value.path, "/[^A-Za-z0-9]+/", "-"), "-")}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.value.function]
  qualifier     = var.function_alias
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/${each.value.method}${replace(each.value.path, "/\\{[^}]+\\}/", "*")}"
}
