"""The catalogue, the customers and the stores' conventions, as the Terraform configuration wires them.

Names, handlers and routes live in reservations.catalogue only: Terraform reads them from the
generated functions.auto.tfvars.json, so these tests check both that the file is current and that no
.tf file types a name, a handler or a route a second time.  That every catalogue route is deployed,
with an invoke permission scoped to it and an integration calling its function's live alias, and that
the registry table is named as the store expects, is proved by ``terraform test`` on the plan
(terraform/modules/cell/tests/complete.tftest.hcl, operations.tftest.hcl), not by reading the HCL here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import hcl2

from reservations import catalogue
from reservations.stores import dynamodb_provision
from reservations.stores.dynamodb_client import ATTRIBUTES, KEY_SCHEMA

from .hcl import OPTIONS, ROOT, TERRAFORM, all_modules, child, expression, root, tf_files

TFVARS = TERRAFORM / "cell" / "functions.auto.tfvars.json"


def test_functions_tfvars_is_exactly_the_catalogue() -> None:
    assert TFVARS.read_text(encoding="utf-8") == catalogue.terraform_variables_json(), (
        "terraform/cell/functions.auto.tfvars.json is stale: run python scripts/gen-tfvars.py"
    )


def test_generator_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    script = str(ROOT / "scripts" / "gen-tfvars.py")
    fresh = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True, timeout=60)
    assert fresh.returncode == 0, fresh.stderr
    copy = tmp_path / "functions.auto.tfvars.json"
    copy.write_text(TFVARS.read_text(encoding="utf-8").replace('"memory_mb": 256', '"memory_mb": 512', 1))
    stale = subprocess.run(
        [sys.executable, script, "--check", "--target", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert stale.returncode == 1
    assert "stale" in stale.stderr
    rewritten = subprocess.run(
        [sys.executable, script, "--target", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert rewritten.returncode == 0, rewritten.stderr
    assert copy.read_text(encoding="utf-8") == catalogue.terraform_variables_json()


def test_no_function_name_handler_or_route_is_typed_in_terraform() -> None:
    """Everything catalogue-derived must come from var.functions."""
    patterns: list[str] = []
    for function in catalogue.FUNCTIONS:
        patterns.append(re.escape(function.module))
        # A route path on its own (not inside another path such as /etc/nginx/reservations/).
        patterns.extend(r"(?<![\w./-])" + re.escape(route.path) + r"(?![\w/-])" for route in function.routes)
    # Quoted names of the API functions ("authorizer" is also a kind, which Terraform may test for).
    patterns.extend(f'"{re.escape(f.name)}"' for f in catalogue.FUNCTIONS if f.kind == "api")
    for file in tf_files():
        lines = file.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.strip().startswith("#"))
        for pattern in patterns:
            found = re.search(pattern, text)
            assert not found, f"{file.relative_to(ROOT)} types {found.group(0)!r}; take it from var.functions"


def test_every_catalogue_function_is_deployed_with_its_own_handler() -> None:
    call = root().module_calls["function"]
    assert expression(call["for_each"]) == "var.functions"
    assert expression(call["handler"]) == "each.value.handler"
    assert expression(call["memory_mb"]) == "each.value.memory_mb"
    assert expression(call["timeout_s"]) == "each.value.timeout_s"
    key = call["s3_key"]
    assert key.startswith("${coalesce(try(var.lambda_builds[each.key].s3_key, null), "), key
    assert '"${local.artifact_key_prefix}${each.key}/${each.key}-${' in key, key
    assert "var.lambda_builds[each.key].build_id" in key
    assert key.endswith('.zip")}')
    assert "var.lambda_builds[each.key].source_code_hash" in call["source_code_hash"]
    assert (
        root().locals["artifact_key_prefix"]
        == '${var.artifacts_prefix == "" ? "" : "${var.artifacts_prefix}/"}'
    )


def test_each_handler_names_a_real_importable_function() -> None:
    functions = json.loads(TFVARS.read_text(encoding="utf-8"))["functions"]
    assert set(functions) == set(catalogue.FUNCTION_NAMES)
    for name, spec in functions.items():
        module_name, _, attribute = spec["handler"].rpartition(".")
        module = importlib.import_module(module_name)
        handler = getattr(module, attribute, None)
        assert callable(handler), f"{name}: {spec['handler']} is not a function"


def test_lambda_function_module_runs_python312_from_s3_with_logs_and_tracing() -> None:
    module = child("lambda_function")
    function = module.resource("aws_lambda_function", "this")
    assert module.variables["runtime"]["default"] == "python3.12"
    assert expression(function["s3_key"]) == "var.s3_key"
    assert expression(function["source_code_hash"]) == "var.source_code_hash"
    assert expression(
        function["architectures"][0]
        if isinstance(function["architectures"], list)
        else function["architectures"]
    ).endswith("var.architecture")
    assert function["tracing_config"][0]["mode"] == "${var.tracing_mode}"
    assert module.variables["tracing_mode"]["default"] == "Active"
    logs = module.resource("aws_cloudwatch_log_group", "this")
    assert logs["name"] == "/aws/lambda/${var.function_name}"
    assert function["logging_config"][0]["log_group"] == "${aws_cloudwatch_log_group.this.name}"
    assert "reserved_concurrent_executions" in function


def test_compat_routes_use_their_own_authorizer_headers() -> None:
    api = child("rest_api")
    sources = api.locals["authorizer_identity_sources"]
    assert sources["main"] == "method.request.header.X-Api-Key,method.request.header.X-Customer"
    assert sources["compat"] == "method.request.header.x-api-key,method.request.header.customer"
    method = api.resource("aws_api_gateway_method", "route")
    # Every route but a public one (the calendar feed: tests/terraform/test_security.py) is CUSTOM.
    assert method["authorization"] == '${each.value.public ? "NONE" : "CUSTOM"}'
    assert 'each.value.compat ? "compat" : "main"' in method["authorizer_id"]
    authorizer = api.resource("aws_api_gateway_authorizer", "this")
    assert authorizer["type"] == "REQUEST"
    assert authorizer["authorizer_uri"] == "${var.function_invoke_arns[var.authorizer_function]}"
    assert authorizer["authorizer_result_ttl_in_seconds"] == "${var.authorizer_cache_ttl_seconds}"
    compat = {r.path for r, _ in catalogue.routes() if r.compat}
    assert compat == {"/get-res", "/add-res", "/delete-res"}


def test_gateway_errors_use_the_json_error_shape() -> None:
    api = child("rest_api")
    responses = api.locals["gateway_responses"]
    assert responses["UNAUTHORIZED"]["status"] == "401"
    assert responses["UNAUTHORIZED"]["code"] == "unauthenticated"
    assert responses["ACCESS_DENIED"]["status"] == "403"
    assert responses["ACCESS_DENIED"]["code"] == "forbidden"
    template = api.resource("aws_api_gateway_gateway_response", "this")["response_templates"][
        "application/json"
    ]
    for name, response in responses.items():
        message = response["message"]
        rendered = template.replace("${each.value.code}", response["code"]).replace(
            "${each.value.message}", message
        )
        if message.startswith("$context"):
            rendered = rendered.replace(message, '"text from API Gateway"')
        body = json.loads(rendered)
        assert set(body) == {"error"}, name
        assert set(body["error"]) == {"code", "message"}, name


def test_nothing_in_terraform_iterates_over_customers() -> None:
    """Issue #23: Terraform owns the shared infrastructure only; `tenants create` makes a customer's
    table, so the plan is the same at 3 customers and at 10,000."""
    assert "customers" not in root().variables
    for module in all_modules():
        bodies = [*module.module_calls.values(), *module.resources.values()]
        for for_each in (body["for_each"] for body in bodies if "for_each" in body):
            assert "customer" not in str(for_each), (module.name, for_each)
    example = hcl2.loads(
        (TERRAFORM / "cell" / "terraform.tfvars.example").read_text(encoding="utf-8"),
        serialization_options=OPTIONS,
    )
    assert "customers" not in example
    assert example["tiers"], "the example should show the tiers"
    assert "edge_hosts" not in example, "custom domains are registry items (tenants hosts add)"


def test_onboarding_makes_tables_as_the_customer_table_module_did() -> None:
    """What `tenants create` asks DynamoDB for is what the module gives the registry's table."""
    module = child("customer_table")
    table = module.resource("aws_dynamodb_table", "this")
    assert [k["AttributeName"] for k in KEY_SCHEMA] == [
        module.variables["hash_key"]["default"],
        module.variables["range_key"]["default"],
    ]
    assert [a["AttributeType"] for a in ATTRIBUTES] == [a["type"] for a in table["attribute"]]
    provision = inspect.getsource(dynamodb_provision)
    assert f'BillingMode="{table["billing_mode"]}"' in provision
    assert "DeletionProtectionEnabled=True" in provision
    assert module.variables["deletion_protection"]["default"] is True
    assert '"PointInTimeRecoveryEnabled": True' in provision
    assert '"SSEType": "KMS"' in provision
    assert dynamodb_provision.BACKUP_TAG in root().locals["backup_tag"]


def test_customer_table_layout() -> None:
    module = child("customer_table")
    table = module.resource("aws_dynamodb_table", "this")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert module.variables["hash_key"]["default"] == "pk"
    assert module.variables["range_key"]["default"] == "sk"
    assert [a["type"] for a in table["attribute"]] == ["S", "S"]
    assert "global_secondary_index" not in table
    assert "local_secondary_index" not in table
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["server_side_encryption"][0] == {"enabled": True, "kms_key_arn": "${var.kms_key_arn}"}
    assert table["deletion_protection_enabled"] == "${var.deletion_protection}"
    assert module.variables["deletion_protection"]["default"] is True
    ttl = table["dynamic"][0]["ttl"]
    assert ttl["content"][0]["attribute_name"] == "${ttl.value}"


def test_lambda_environments() -> None:
    store = root().locals["store_environment"]
    assert store["RESERVATIONS_STORE"] == "dynamodb"
    assert store["RESERVATIONS_TABLE_PREFIX"] == "${var.table_prefix}"
    assert store["RESERVATIONS_REGISTRY_TABLE"] == "${module.registry_table.name}"
    scheduler = set(root().locals["scheduler_environment"])
    assert {
        "RESERVATIONS_CLUSTER_NAME",
        "RESERVATIONS_TFC_URL",
        "RESERVATIONS_TFC_ORGANIZATION",
        "RESERVATIONS_TFC_WORKSPACE",
        "RESERVATIONS_TFC_TOKEN_SECRET_ARN",
        "RESERVATIONS_TFC_CLIENT",
        "RESERVATIONS_NOTIFY_TOPIC_ARN",
        "RESERVATIONS_SCHEDULE_TIMEZONE",
        "RESERVATIONS_HOLIDAYS",
        "RESERVATIONS_ALLOW_FOREIGN_CHANGES",
    } <= scheduler
    for environment in (store, root().locals["scheduler_environment"]):
        for key in environment:
            if re.search(r"TOKEN|SECRET|PASSWORD|API_KEY", key):
                assert key.endswith("_ARN"), f"{key}: pass a Secrets Manager ARN, never the secret"


def test_scheduler_schedules_use_a_time_zone_and_a_follow_up() -> None:
    module = child("cluster_scheduler")
    start = module.resource("aws_scheduler_schedule", "start")
    follow_up = module.resource("aws_scheduler_schedule", "follow_up")
    assert start["schedule_expression_timezone"] == "${var.schedule.timezone}"
    assert follow_up["schedule_expression"].startswith("rate(")
    assert follow_up["state"] == "DISABLED"
    assert "state" in str(follow_up["lifecycle"][0]["ignore_changes"])  # the function switches it
    # The event shape reservations.cluster's Lambda entry point reads.
    assert start["target"][0]["input"] == '${jsonencode({phase = "start", trigger = "schedule"})}'
    assert follow_up["target"][0]["input"] == '${jsonencode({phase = "follow-up", trigger = "schedule"})}'
    eks = child("eks")
    assert (
        eks.locals["schedule_tags"] == '${var.schedule_opt_in ? {"reservations/schedule" = "enabled"} : {}}'
    )
    assert eks.resource("aws_eks_cluster", "this")["tags"] == "${local.schedule_tags}"
