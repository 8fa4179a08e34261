"""The Lambda handlers invoked directly with API Gateway's own event shapes (JSON files in events/)."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from reservations import wiring
from reservations.domain.parsing import today_utc
from reservations.functions import add, authorizer, delete, list_rooms, put_room, room_calendar
from reservations.functions import list as list_function
from reservations.gateway import events
from reservations.settings import Settings
from reservations.stores.protocols import Registry
from reservations.tenants.admin import Tenants
from tests.support.settings import STORE_KINDS, store_settings

EVENTS = Path(__file__).parent / "events"
CHECK_IN = (today_utc() + timedelta(days=10)).isoformat()


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text().replace("CHECK_IN", CHECK_IN))
    return event


@pytest.fixture(params=STORE_KINDS)
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Two customers, the functions wired as in AWS (on DynamoDB: tenant-scoped credentials)."""
    settings = store_settings(request.param, tmp_path, request)
    wiring.configure(settings)
    registry = wiring.registry()
    ensure = getattr(registry, "ensure_table", None)
    if ensure is not None:
        ensure()
    tenants = Tenants(registry, wiring.store(), settings)
    yield {name: tenants.create(name).api_key for name in ("star", "moon")}
    wiring.configure(Settings(store="sqlite", data_dir=tmp_path / "unused"))


def test_add_event_from_api_gateway_creates_and_honours_stage_prefix(keys: dict[str, str]):
    event = load("rest_post_reservations.json")
    APIGatewayProxyEventModel.model_validate(event)
    result = add.handler(event, None)
    assert result["statusCode"] == 201
    body = json.loads(result["body"])
    assert result["headers"]["Location"] == f"/prod/reservations/{body['reservation_id']}"
    assert result["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    replay = add.handler(copy.deepcopy(event), None)
    assert json.loads(replay["body"]) == body


def test_list_get_delete_with_the_authorizer_context_only(keys: dict[str, str]):
    add.handler(load("rest_post_reservations.json"), None)
    listing = load("rest_post_reservations.json") | {
        "httpMethod": "GET",
        "body": None,
        "queryStringParameters": {"limit": "5"},
    }
    page = json.loads(list_function.handler(listing, None)["body"])
    (item,) = page["items"]
    one = listing | {"resource": "/reservations/{id}", "pathParameters": {"id": str(item["reservation_id"])}}
    assert json.loads(list_function.handler(one, None)["body"]) == item
    gone = one | {"httpMethod": "DELETE"}
    assert delete.handler(gone, None)["statusCode"] == 204
    assert delete.handler(gone, None)["statusCode"] == 404
    # the same request, proved for moon: moon's table is empty whatever the headers say
    moon = copy.deepcopy(listing)
    moon["requestContext"]["authorizer"] = {"customer": "moon", "principalId": "moon"}
    moon["headers"].pop("X-Customer")
    assert json.loads(list_function.handler(moon, None)["body"])["items"] == []


def test_without_authorizer_context_the_function_refuses(keys: dict[str, str]):
    event = load("rest_post_reservations.json")
    del event["requestContext"]["authorizer"]
    result = add.handler(event, None)
    assert result["statusCode"] == 401


def test_unexpected_failure_is_500_json_without_trace(keys: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(wiring.store(), "add", explode)
    result = add.handler(load("rest_post_reservations.json"), None)
    assert result["statusCode"] == 500
    assert "disk on fire" not in result["body"]
    assert json.loads(result["body"])["error"]["code"] == "internal_error"


def authorizer_event(customer: str, key: str) -> dict[str, Any]:
    text = (EVENTS / "rest_authorizer_request.json").read_text()
    event: dict[str, Any] = json.loads(text.replace("CUSTOMER", customer).replace("API_KEY", key))
    return event


def test_authorizer_allows_owner_for_whole_stage(keys: dict[str, str]):
    policy = authorizer.handler(authorizer_event(" STAR ", keys["star"]), None)
    assert policy["principalId"] == "star"
    assert policy["context"] == {"customer": "star", "table": wiring.settings().table_for("star")}
    statement = policy["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:abc123defg/prod/*/*"


def test_authorizer_denies_other_customer_and_rejects_unknown_key(
    keys: dict[str, str], capsys: pytest.CaptureFixture[str]
):
    denied = authorizer.handler(authorizer_event("moon", keys["star"]), None)
    assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert "customer" not in denied["context"]
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(authorizer_event("star", "rsv_forged"), None)
    logs = capsys.readouterr()
    assert keys["star"] not in logs.out + logs.err
    assert "rsv_forged" not in logs.out + logs.err


def test_gateway_events_match_api_gateways_model(keys: dict[str, str]):
    request = events.HttpRequest(
        method="POST",
        path="/reservations",
        headers=[("X-Customer", "star"), ("Accept", "a"), ("Accept", "b")],
        query=[("limit", "1"), ("limit", "2")],
        body=b"\xff\x00binary",
        request_id="r-1",
    )
    event = events.proxy_event(request, "/reservations", {}, {"customer": "star"})
    model = APIGatewayProxyEventModel.model_validate(event)
    assert model.multiValueHeaders["Accept"] == ["a", "b"]
    assert event["queryStringParameters"] == {"limit": "2"}
    assert event["isBase64Encoded"] is True
    auth = events.authorizer_event(request, "/reservations", {})
    assert auth["type"] == "REQUEST"
    assert auth["methodArn"].endswith("/POST/reservations")


def test_the_authorizer_answers_from_the_registry_which_keeps_only_each_keys_hash(keys: dict[str, str]):
    """A key rotated in the registry is refused on the very next request and its successor allowed (no
    other copy of the keys decides), and what the registry holds of a key is its SHA-256 alone."""
    registry: Registry = wiring.registry()
    (record,) = registry.list_keys("star")
    assert record.key_hash == hashlib.sha256(keys["star"].encode()).hexdigest()
    assert keys["star"] not in {str(value) for value in vars(record).values()}
    assert authorizer.handler(authorizer_event("star", keys["star"]), None)["principalId"] == "star"

    rotated = Tenants(registry, wiring.store(), wiring.settings()).rotate_key("star")

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(authorizer_event("star", keys["star"]), None)
    assert authorizer.handler(authorizer_event("star", rotated), None)["principalId"] == "star"
    assert [r.key_hash for r in registry.list_keys("star")] == [hashlib.sha256(rotated.encode()).hexdigest()]


def test_functions_name_allowed_origins_for_api_gateway(
    keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    from reservations.functions import http

    monkeypatch.setattr(http, "_CORS_ORIGINS", frozenset({"https://page.example.com"}))
    event = load("rest_post_reservations.json")
    event["headers"]["Origin"] = "https://page.example.com"
    allowed = add.handler(event, None)
    assert allowed["headers"]["Access-Control-Allow-Origin"] == "https://page.example.com"
    event["headers"]["Origin"] = "https://evil.example.com"
    assert "Access-Control-Allow-Origin" not in add.handler(event, None)["headers"]


def test_the_stage_names_the_pages_origin_so_no_function_waits_for_cloudfront(
    keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    """Terraform gives the CloudFront page's origin to the stage (variable corsOrigins), not to the
    functions' environment, which would make every function wait for the distribution."""
    from reservations.functions import http

    monkeypatch.setattr(http, "_CORS_ORIGINS", frozenset())
    event = load("rest_post_reservations.json")
    event["headers"]["Origin"] = "https://d1.cloudfront.net"
    assert "Access-Control-Allow-Origin" not in add.handler(event, None)["headers"]
    event["stageVariables"] = {"corsOrigins": "https://hotels.example.com,https://d1.cloudfront.net"}
    assert add.handler(event, None)["headers"]["Access-Control-Allow-Origin"] == "https://d1.cloudfront.net"
    event["headers"]["Origin"] = "https://evil.example.com"
    assert "Access-Control-Allow-Origin" not in add.handler(event, None)["headers"]


def test_authorizer_returns_the_usage_plan_key_when_configured(
    keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(authorizer, "_USAGE_KEY_PREFIX", "prod-")
    policy = authorizer.handler(authorizer_event("star", keys["star"]), None)
    assert policy["usageIdentifierKey"] == "prod-star"


def test_a_rooms_feed_url_is_under_the_public_api_url_when_one_is_configured(keys: dict[str, str]):
    """Channels reach the API through the edge, not API Gateway's own host (a WAF may close it to all
    but the edge): Terraform's ``public_api_url`` names it, ``{customer}`` standing for the customer."""
    event = load("rest_post_reservations.json")
    define = event | {"httpMethod": "PUT", "resource": "/rooms/{room_number}", "body": None}
    assert put_room.handler(define | {"pathParameters": {"room_number": "101"}}, None)["statusCode"] == 201
    rooms = event | {"httpMethod": "GET", "resource": "/rooms", "body": None}

    def feed_url() -> str:
        (item,) = json.loads(list_rooms.handler(copy.deepcopy(rooms), None)["body"])["items"]
        return str(item["calendar_url"])

    host = event["headers"]["Host"]
    assert feed_url().startswith(f"https://{host}/prod/calendars/star.101.")  # as the request came
    settings = wiring.settings()
    wiring.configure(replace(settings, public_api_url="https://{customer}.hotels.example.com/api/"))
    try:
        url = feed_url()
        assert url.startswith("https://star.hotels.example.com/api/calendars/star.101.")
        assert url.endswith(".ics")
        rotate = event | {
            "httpMethod": "POST",
            "resource": "/rooms/{room_number}/calendar-token",
            "body": None,
        }
        rotated = room_calendar.handler(rotate | {"pathParameters": {"room_number": "101"}}, None)
        assert json.loads(rotated["body"])["calendar_url"] == feed_url() != url
    finally:
        wiring.configure(settings)
