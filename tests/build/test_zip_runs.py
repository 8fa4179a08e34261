"""Each zip is complete: its handler, run from the extracted zip alone, serves a real event against moto.

The API functions are chained through one DynamoDB (moto's server over HTTP): the authorizer's
zip proves a key made by ``reservations tenants create``, the add zip stores a reservation, the
list zip reads it back, the front desk's zips define rooms, list them, answer availability, move
the stay and remove its old room, and the delete zip removes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from reservations.build.project import Project
from reservations.build.runtime import runtime_site
from reservations.catalogue import FUNCTION_NAMES, get_function
from reservations.domain.parsing import today_utc
from tests.build.lambda_sandbox import Sandbox
from tests.support.builds import ROOT, Builds
from tests.support.settings import TENANT_ROLE_ARN

EVENTS = ROOT / "tests" / "functions" / "events"
API_FUNCTIONS = (
    "authorizer",
    "add",
    "list",
    "delete",
    "change",
    "list-rooms",
    "put-room",
    "delete-room",
    "availability",
)
CHANNEL_FUNCTIONS = ("room-calendar", "calendar-feed", "channel-sync")
SCHEDULER_FUNCTIONS = ("cluster-down", "cluster-up")
ADMIN_FUNCTIONS = ("tenants-admin",)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Sandbox:
    return Sandbox(tmp_path_factory.mktemp("lambda"), runtime_site(project))


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


def _store_env(moto_endpoint: str) -> dict[str, str]:
    return {"RESERVATIONS_STORE": "dynamodb", "RESERVATIONS_DYNAMODB_ENDPOINT": moto_endpoint}


def _create_customer(name: str, store_env: dict[str, str]) -> str:
    args = ["--store", "dynamodb", "--dynamodb-endpoint", store_env["RESERVATIONS_DYNAMODB_ENDPOINT"]]
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from reservations.cli import main; main()",
            "tenants",
            "create",
            name,
            "--json",
            *args,
        ],
        env={**os.environ, **store_env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return str(json.loads(completed.stdout)["api_key"])


def _event(name: str, **replacements: str) -> dict[str, Any]:
    text = (EVENTS / name).read_text()
    for key, value in replacements.items():
        text = text.replace(key, value)
    event: dict[str, Any] = json.loads(text)
    return event


def _invoker(builds: Builds, sandbox: Sandbox, env: dict[str, str]) -> Callable[[str, dict[str, Any]], Any]:
    """Runs a function's handler from its zip, as Lambda would name it; fails on an error outcome."""

    def invoke(function: str, event: dict[str, Any]) -> Any:
        outcome = sandbox.invoke(
            builds.get(function).zip_path,
            get_function(function).module,
            event,
            {**env, "AWS_LAMBDA_FUNCTION_NAME": f"reservations-{function}"},
        )
        assert "error" not in outcome, outcome["error"] + outcome["stderr"][-2000:]
        return outcome["result"]

    return invoke


def test_every_catalogue_function_is_exercised_here() -> None:
    assert sorted((*API_FUNCTIONS, *CHANNEL_FUNCTIONS, *SCHEDULER_FUNCTIONS, *ADMIN_FUNCTIONS)) == sorted(
        FUNCTION_NAMES
    )


@pytest.mark.slow
def test_api_functions_serve_a_booking_from_their_zips(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    env = {**_aws_env(moto_endpoint), **_store_env(moto_endpoint)}
    api_key = _create_customer("star", env)
    env["RESERVATIONS_TENANT_ROLE_ARN"] = TENANT_ROLE_ARN  # the zips' DynamoDB calls go through STS

    invoke = _invoker(builds, sandbox, env)

    policy = invoke("authorizer", _event("rest_authorizer_request.json", API_KEY=api_key, CUSTOMER="star"))
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert policy["context"] == {"customer": "star", "table": "star-reservations"}

    check_in = (today_utc() + timedelta(days=10)).isoformat()
    post = _event("rest_post_reservations.json", CHECK_IN=check_in)
    post["requestContext"]["authorizer"] = {**policy["context"], "principalId": "star"}
    created = invoke("add", post)
    assert created["statusCode"] == 201, created
    reservation = json.loads(created["body"])
    assert reservation["check_in"] == check_in

    listing = post | {"httpMethod": "GET", "body": None, "headers": {}, "multiValueHeaders": {}}
    page = invoke("list", listing)
    assert page["statusCode"] == 200, page
    assert json.loads(page["body"])["items"] == [reservation]

    def room_event(method: str, room: int | None = None) -> dict[str, Any]:
        resource = "/rooms/{room_number}" if room is not None else "/rooms"
        event = listing | {"httpMethod": method, "resource": resource}
        event["pathParameters"] = {"room_number": str(room)} if room is not None else None
        return event

    room = reservation["room_number"]
    for number in (room, room + 1):
        assert invoke("put-room", room_event("PUT", number))["statusCode"] == 201
    rooms = json.loads(invoke("list-rooms", room_event("GET"))["body"])["items"]
    assert [r["room_number"] for r in rooms] == [room, room + 1]
    asked = listing | {
        "resource": "/availability",
        "queryStringParameters": {"check_in": check_in, "nights": "1"},
    }
    assert json.loads(invoke("availability", asked)["body"])["free_rooms"] == [room + 1]
    move = listing | {
        "httpMethod": "PATCH",
        "resource": "/reservations/{id}",
        "body": json.dumps({"room_number": room + 1}),
    }
    move["pathParameters"] = {"id": str(reservation["reservation_id"])}
    moved = invoke("change", move)
    assert moved["statusCode"] == 200, moved
    reservation = json.loads(moved["body"])
    assert reservation["room_number"] == room + 1
    assert invoke("delete-room", room_event("DELETE", room))["statusCode"] == 204

    one = listing | {"httpMethod": "DELETE", "resource": "/reservations/{id}"}
    one["pathParameters"] = {"id": str(reservation["reservation_id"])}
    deleted = invoke("delete", one)
    assert deleted["statusCode"] == 204, deleted
    assert json.loads(invoke("list", listing)["body"])["items"] == []


@pytest.mark.slow
def test_the_channel_functions_serve_a_feed_and_sync_from_their_zips(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    """icalendar and the queue client travel in the zips: a feed renders, and the sync fans out."""
    import boto3

    env = {**_aws_env(moto_endpoint), **_store_env(moto_endpoint)}
    _create_customer("lake", env)
    queue = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1").create_queue(
        QueueName="lake-channel-sync"
    )["QueueUrl"]
    env |= {"RESERVATIONS_TENANT_ROLE_ARN": TENANT_ROLE_ARN, "RESERVATIONS_CHANNEL_SYNC_QUEUE_URL": queue}

    invoke = _invoker(builds, sandbox, env)

    check_in = (today_utc() + timedelta(days=10)).isoformat()
    booking = _event("rest_post_reservations.json", CHECK_IN=check_in)
    booking["requestContext"]["authorizer"] = {
        "customer": "lake",
        "table": "lake-reservations",
        "principalId": "lake",
    }
    room = json.loads(booking["body"])["room_number"]
    put = booking | {"httpMethod": "PUT", "resource": "/rooms/{room_number}", "body": None}
    put["pathParameters"] = {"room_number": str(room)}
    assert invoke("put-room", put)["statusCode"] == 201
    assert invoke("add", booking)["statusCode"] == 201
    rotate = put | {"httpMethod": "POST", "resource": "/rooms/{room_number}/calendar-token"}
    rotated = invoke("room-calendar", rotate)
    assert rotated["statusCode"] == 200, rotated
    token = json.loads(rotated["body"])["calendar_url"].rsplit("/", 1)[1]
    feed = put | {"httpMethod": "GET", "resource": "/calendars/{token}", "headers": {}}
    feed["multiValueHeaders"] = {}
    feed["pathParameters"] = {"token": token}
    feed["requestContext"] = {k: v for k, v in feed["requestContext"].items() if k != "authorizer"}
    served = invoke("calendar-feed", feed)
    assert served["statusCode"] == 200, served
    assert served["body"].count("BEGIN:VEVENT") == 1
    assert f"DTSTART;VALUE=DATE:{check_in.replace('-', '')}" in served["body"]

    assert invoke("channel-sync", {}) == {"customers": 1, "messages": 1}
    message = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1").receive_message(
        QueueUrl=queue
    )["Messages"][0]
    assert invoke("channel-sync", {"Records": [{"body": message["Body"]}]})["errors"] == 0


@pytest.mark.slow
def test_a_wrong_key_is_refused_by_the_zipped_authorizer(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    env = {**_aws_env(moto_endpoint), **_store_env(moto_endpoint)}
    _create_customer("moon", env)
    outcome = sandbox.invoke(
        builds.get("authorizer").zip_path,
        get_function("authorizer").module,
        _event("rest_authorizer_request.json", API_KEY="rsv_wrong", CUSTOMER="moon"),
        env,
    )
    assert outcome.get("error") == "UnauthorizedError: Unauthorized"
    assert "rsv_wrong" not in outcome["stderr"] + outcome["stdout"].rpartition("OUTCOME ")[0]


@pytest.mark.slow
def test_cluster_down_starts_a_teardown_from_its_zip(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    from reservations.cluster.runner import Clients
    from tests.cluster.aws_helpers import make_cluster

    aws = Clients(endpoint_url=moto_endpoint, region="us-east-1")
    make_cluster(aws, "study")
    env = {**_aws_env(moto_endpoint), "RESERVATIONS_CLUSTER_NAME": "study"}
    outcome = sandbox.invoke(
        builds.get("cluster-down").zip_path, get_function("cluster-down").module, {"phase": "start"}, env
    )
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert (result["action"], result["cluster"]) == ("down", "study")
    assert result["status"] == "in_progress", result
    groups = aws.get("eks").list_nodegroups(clusterName="study")["nodegroups"]
    assert groups == [], "the first step deletes the node groups"


@pytest.mark.slow
def test_cluster_up_creates_a_terraform_cloud_run_from_its_zip(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    """pytfe (with pydantic's compiled core) and the token from Secrets Manager, all from the zip."""
    import boto3

    from tests.cluster.fake_tfc import TOKEN, FakeTerraformCloud

    secret = boto3.client("secretsmanager", endpoint_url=moto_endpoint).create_secret(
        Name="tfc-token", SecretString=TOKEN
    )["ARN"]
    tfc = FakeTerraformCloud().start()
    try:
        tfc.add_workspace("study-cluster")
        env = {
            **_aws_env(moto_endpoint),
            "RESERVATIONS_CLUSTER_NAME": "study",
            "RESERVATIONS_TFC_URL": tfc.url,
            "RESERVATIONS_TFC_ORGANIZATION": "acme",
            "RESERVATIONS_TFC_WORKSPACE": "study-cluster",
            "RESERVATIONS_TFC_TOKEN_SECRET_ARN": secret,
            "RESERVATIONS_TFC_CLIENT": "pytfe",
        }
        outcome = sandbox.invoke(
            builds.get("cluster-up").zip_path, get_function("cluster-up").module, {"phase": "start"}, env
        )
        runs_created = tfc.calls("POST", "/api/v2/runs")
    finally:
        tfc.stop()
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert (result["action"], result["step"]) == ("up", "run-created"), result
    assert runs_created == 1
    assert TOKEN not in outcome["stderr"]


@pytest.mark.slow
def test_tenants_admin_onboards_a_customer_from_its_zip(
    builds: Builds, sandbox: Sandbox, moto_endpoint: str
) -> None:
    """The operation in AWS (no store endpoint: botocore's AWS_ENDPOINT_URL is moto), from the zip:
    the customer's table with the deployment's key, its registration, its usage key in its plan."""
    import boto3

    from reservations.settings import Settings
    from reservations.stores.dynamodb_registry import DynamoDBRegistry

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=moto_endpoint, region_name="us-east-1")

    key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
    plan = client("apigateway").create_usage_plan(name="reservations-standard")["id"]
    client("ssm").put_parameter(
        Name="/reservations/tenants/usage-plans", Value=json.dumps({"standard": plan}), Type="String"
    )
    DynamoDBRegistry.from_settings(Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint)).ensure_table()
    env = {
        **_aws_env(moto_endpoint),
        "RESERVATIONS_STORE": "dynamodb",
        "RESERVATIONS_TABLE_KMS_KEY_ARN": key_arn,
        "RESERVATIONS_BACKUP_TAG": "reservations",
        "RESERVATIONS_USAGE_PLANS_PARAMETER": "/reservations/tenants/usage-plans",
        "RESERVATIONS_USAGE_KEY_PREFIX": "reservations-usage-identifier-",  # a key value has 20 characters at least
    }
    outcome = sandbox.invoke(
        builds.get("tenants-admin").zip_path,
        get_function("tenants-admin").module,
        {"operation": "create", "customer": "star"},
        env,
    )
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert "api_key" in result, result
    assert (result["customer"], result["table"], result["tier"]) == ("star", "star-reservations", "standard")
    assert result["api_key"] not in outcome["stderr"] + outcome["stdout"].rpartition("OUTCOME ")[0]
    described = client("dynamodb").describe_table(TableName="star-reservations")["Table"]
    assert described["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    assert [k["value"] for k in client("apigateway").get_usage_plan_keys(usagePlanId=plan)["items"]] == [
        "reservations-usage-identifier-star"
    ]
