"""The one event converter: HTTP requests to API Gateway REST (v1) events and proxy results back.

The local gateway and the tests build events only through this module, so what the functions see
locally is the shape AWS sends (validated in the tests against Powertools' event model).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LOCAL_ACCOUNT = "000000000000"
LOCAL_API_ID = "local"
LOCAL_STAGE = "local"
LOCAL_REGION = "local"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]  # in arrival order; names as the client sent them
    query: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    request_id: str = ""


def _single_and_multi(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """API Gateway keeps the last value per name in the single map and all of them in the multi map."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _request_context(request: HttpRequest, resource: str, request_id: str) -> dict[str, Any]:
    now = time.time()
    user_agent = next((v for k, v in request.headers if k.lower() == "user-agent"), None)
    return {
        "accountId": LOCAL_ACCOUNT,
        "apiId": LOCAL_API_ID,
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "extendedRequestId": request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
        },
        "path": request.path,
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": "local",
        "resourcePath": resource,
        "stage": LOCAL_STAGE,
    }


def method_arn(method: str, path: str) -> str:
    return f"arn:aws:execute-api:{LOCAL_REGION}:{LOCAL_ACCOUNT}:{LOCAL_API_ID}/{LOCAL_STAGE}/{method}/{path.lstrip('/')}"


def new_request_id() -> str:
    return str(uuid.uuid4())


def authorizer_event(request: HttpRequest, resource: str, path_params: Mapping[str, str]) -> dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends before invoking the integration."""
    headers, multi_headers = _single_and_multi(request.headers)
    query, multi_query = _single_and_multi(request.query)
    return {
        "type": "REQUEST",
        "methodArn": method_arn(request.method, request.path),
        "resource": resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_params),
        "stageVariables": {},
        "requestContext": _request_context(request, resource, request.request_id),
    }


def proxy_event(
    request: HttpRequest,
    resource: str,
    path_params: Mapping[str, str],
    authorizer_context: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The Lambda proxy integration event (REST API, payload format 1.0)."""
    headers, multi_headers = _single_and_multi(request.headers)
    query, multi_query = _single_and_multi(request.query)
    body: str | None = None
    is_base64 = False
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(request.body).decode("ascii"), True
    context = _request_context(request, resource, request.request_id)
    if authorizer_context is not None:
        context["authorizer"] = dict(authorizer_context)
    return {
        "resource": resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_params) or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def from_proxy_result(result: Mapping[str, Any]) -> HttpResponse:
    """Turns a proxy integration result into HTTP, as API Gateway does (malformed → 502)."""
    try:
        status = int(result["statusCode"])
        headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(str(name), str(v)) for v in values]
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
    except (KeyError, TypeError, ValueError):
        return HttpResponse(
            502,
            [("Content-Type", "application/json")],
            b'{"error":{"code":"bad_gateway","message":"the function returned a malformed response"}}',
        )
    return HttpResponse(status, headers, body)
