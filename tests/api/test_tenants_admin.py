"""The ``tenants-admin`` function (onboarding without a laptop, issue #23) on moto's server over HTTP.

Its handler runs in this process as Lambda runs it, configured from the environment Terraform gives
it, with botocore's ``AWS_ENDPOINT_URL_*`` pointing at moto: it onboards, re-tiers, re-keys and
removes a customer with the same operation as the CLI, finishes an operation cut short when
invoked again, answers a structured error to a bad payload (changing nothing), and never writes
a key to its log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from reservations import wiring
from reservations.functions import tenants_admin
from reservations.settings import Settings
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from reservations.tenants.auth import authorize
from tests.api.test_tenants_onboarding import (
    USAGE_PREFIX,
    Killed,
    assert_onboarded,
    backups,
    onboarding,
    usage_keys,
)
from tests.api.test_tenants_onboarding import admin as admin
from tests.api.test_tenants_onboarding import apigateway as apigateway
from tests.api.test_tenants_onboarding import registry as registry
from tests.api.test_tenants_onboarding import settings as settings
from tests.functions.test_request_line import output as output  # what the logger writes

PARAMETER = "/reservations/tenants/usage-plans"


@pytest.fixture
def function(
    settings: Settings,
    moto_endpoint: str,
    registry: DynamoDBRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """The function's environment as Terraform sets it: the tiers' plans in their parameter."""
    ssm = boto3.client("ssm", endpoint_url=moto_endpoint, region_name="us-east-1")
    ssm.put_parameter(Name=PARAMETER, Value=settings.usage_plans or "{}", Type="String")
    environment = {k: v for k, v in settings.to_env().items() if k != "RESERVATIONS_USAGE_PLANS"}
    for name, value in {**environment, tenants_admin.USAGE_PLANS_PARAMETER: PARAMETER}.items():
        monkeypatch.setenv(name, value)
    for service in ("DYNAMODB", "API_GATEWAY", "SSM"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_endpoint)
    wiring.configure(Settings.from_env())  # a fresh process, as Lambda starts one
    yield
    wiring.configure(Settings(store="sqlite"))


def invoke(payload: Any) -> dict[str, Any]:
    """As Lambda does: the payload's JSON decoded, the answer encoded back (it must be JSON)."""
    answer = tenants_admin.handler(json.loads(json.dumps(payload)), None)
    decoded: dict[str, Any] = json.loads(json.dumps(answer))
    return decoded


@pytest.mark.usefixtures("function")
def test_the_function_onboards_retiers_rekeys_and_removes_a_customer(
    settings: Settings,
    registry: DynamoDBRegistry,
    admin: Any,
    apigateway: Any,
    output: io.StringIO,
) -> None:
    created = invoke({"operation": "create", "customer": "Star"})
    assert created.keys() == {"customer", "table", "tier", "hosts", "api_key"}, created
    assert (created["customer"], created["table"], created["tier"]) == (
        "star",
        settings.table_for("star"),
        "standard",
    )
    assert_onboarded(admin, registry, settings, created["api_key"], apigateway)
    onboarded = registry.get_customer("star")
    assert onboarded is not None
    assert onboarded.tier == "standard"

    assert invoke({"operation": "set-tier", "customer": "star", "tier": "premium"}) == {
        "customer": "star",
        "tier": "premium",
    }
    assert usage_keys(apigateway, settings) == {"standard": [], "premium": [f"{USAGE_PREFIX}star"]}
    recorded = registry.get_customer("star")
    assert recorded is not None
    assert recorded.tier == "premium"  # the registry says the tier; the plan enforces it

    rotated = invoke({"operation": "rotate-key", "customer": "star"})
    assert authorize(registry, "star", rotated["api_key"]).name == "star"
    with pytest.raises(Exception, match=r"(?i)key"):
        authorize(registry, "star", created["api_key"])

    deleted = invoke({"operation": "delete", "customer": "star", "yes": True})
    table = settings.table_for("star")
    assert deleted["customer"] == "star"
    assert deleted["deleted"] is True
    assert [arn.rsplit("/", 1)[0] for arn in deleted["final_backups"]] == [
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/backup"
    ]
    assert admin.list_tables()["TableNames"] == [settings.registry_table_name]
    assert backups(admin, table) == [f"{table}-final"]
    assert registry.list_customers() == []
    assert apigateway.get_api_keys()["items"] == []

    written = output.getvalue()
    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    assert [(line["operation"], line["outcome"]) for line in lines] == [
        ("create", "ok"),
        ("set-tier", "ok"),
        ("rotate-key", "ok"),
        ("delete", "ok"),
    ]
    for key in (created["api_key"], rotated["api_key"]):
        assert key not in written


@pytest.mark.usefixtures("function")
@pytest.mark.parametrize("kill_after", ["table", "register", "usage"])
def test_a_create_cut_short_is_finished_by_invoking_it_again(
    settings: Settings,
    moto_endpoint: str,
    registry: DynamoDBRegistry,
    admin: Any,
    apigateway: Any,
    kill_after: str,
) -> None:
    with pytest.raises(Killed):  # the invocation that timed out, after this step
        onboarding(settings, moto_endpoint, registry, kill_after).create("star")
    finished = invoke({"operation": "create", "customer": "star"})
    assert_onboarded(admin, registry, settings, finished["api_key"], apigateway)
    again = invoke({"operation": "create", "customer": "star"})  # done: a rerun makes nothing twice
    assert again == {
        "error": {"code": "validation_error", "message": "customer 'star' already exists", "field": "name"}
    }
    assert_onboarded(admin, registry, settings, finished["api_key"], apigateway)


BAD_PAYLOADS = [
    ("create star", "operation"),
    ({}, "operation"),
    ({"operation": "drop", "customer": "star"}, "operation"),
    ({"operation": ["create"], "customer": "star"}, "operation"),
    ({"operation": "create"}, "customer"),
    ({"operation": "create", "customer": "star", "hosts": "book.star.example"}, "hosts"),
    ({"operation": "create", "customer": "star", "hosts": ["not a host"]}, "host"),
    ({"operation": "add-hosts", "customer": "star", "hosts": []}, "hosts"),
    ({"operation": "add-hosts", "customer": "nobody", "hosts": ["book.nobody.example"]}, "name"),
    ({"operation": "create", "customer": ["star"]}, "customer"),
    ({"operation": "create", "customer": "no_underscores"}, "name"),
    ({"operation": "create", "customer": "star", "tier": "gold"}, "tier"),
    ({"operation": "set-tier", "customer": "star", "tier": 3}, "tier"),
    ({"operation": "delete", "customer": "star"}, "yes"),
    ({"operation": "delete", "customer": "star", "yes": "true"}, "yes"),
    ({"operation": "delete", "customer": "nobody", "yes": True}, "name"),
    ({"operation": "rotate-key", "customer": "nobody"}, "name"),
]


@pytest.mark.usefixtures("function")
@pytest.mark.parametrize(
    ("payload", "field"), BAD_PAYLOADS, ids=[json.dumps(p)[:48] for p, _ in BAD_PAYLOADS]
)
def test_a_bad_payload_answers_a_structured_error_and_changes_nothing(
    payload: Any,
    field: str,
    settings: Settings,
    registry: DynamoDBRegistry,
    admin: Any,
    apigateway: Any,
) -> None:
    answer = invoke(payload)
    assert answer.keys() == {"error"}, answer
    error = answer["error"]
    assert error["code"] in ("validation_error", "not_found")
    assert error.get("field", "operation") == field, error
    assert error["message"]
    assert "Traceback" not in error["message"]
    assert admin.list_tables()["TableNames"] == [settings.registry_table_name]
    assert registry.list_customers() == []
    assert apigateway.get_api_keys()["items"] == []


@pytest.mark.usefixtures("function")
def test_a_failure_part_way_answers_an_error_without_a_trace(moto_endpoint: str, output: io.StringIO) -> None:
    boto3.client("ssm", endpoint_url=moto_endpoint, region_name="us-east-1").delete_parameter(Name=PARAMETER)
    answer = invoke({"operation": "create", "customer": "star"})
    assert answer["error"]["code"] == "internal_error"
    assert "invoke it again" in answer["error"]["message"]
    assert "Traceback" not in json.dumps(answer)
    assert "ParameterNotFound" in output.getvalue()  # the trace is in the log, for the operator
