"""API Gateway REST proxy events in, proxy responses out; the one place errors become HTTP.

Every API function is a table of endpoints run by ``run``: it parses the event, calls the endpoint,
maps a ``ReservationsError`` to its status and JSON body, and turns anything unexpected into a
500 with no stack trace in the response (the trace goes to the log, with the request id).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reservations import wiring
from reservations.domain.blocks import ConflictingBlockError
from reservations.domain.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeySpentError,
    IdempotencyMismatchError,
    NoRoomsError,
    NotFoundError,
    ReservationsError,
    RoomNotDefinedError,
    UnauthenticatedError,
    UnavailableError,
    ValidationError,
)
from reservations.domain.tenancy import normalize_customer
from reservations.functions import (
    coldstart,  # pauses collection until the first answer
    snapstart,  # noqa: F401  (SnapStart hooks, registered on import)
)
from reservations.functions.runtime import logger, request_line
from reservations.stores.dynamodb_attempts import counting

MAX_BODY_BYTES = 16 * 1024
_CORS_ORIGINS = frozenset(
    o.strip().rstrip("/") for o in os.environ.get("RESERVATIONS_CORS_ORIGINS", "").split(",") if o.strip()
)

Response = dict[str, Any]


def _stage_origins(event: Mapping[str, Any]) -> frozenset[str]:
    """Origins the API stage names (its variable ``corsOrigins``): the CloudFront page's, known only
    once the distribution exists.  Read from the stage rather than the function's environment so that
    no function waits for CloudFront to finish deploying."""
    raw = (event.get("stageVariables") or {}).get("corsOrigins") or ""
    return frozenset(o.strip().rstrip("/") for o in str(raw).split(",") if o.strip())


class PayloadTooLargeError(ReservationsError):
    code = "payload_too_large"


class MethodNotAllowedError(ReservationsError):
    code = "method_not_allowed"

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.allowed = allowed


STATUS_BY_ERROR: dict[type[ReservationsError], int] = {
    ValidationError: 400,
    UnauthenticatedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    MethodNotAllowedError: 405,
    ConflictError: 409,
    NoRoomsError: 409,
    PayloadTooLargeError: 413,
    IdempotencyMismatchError: 422,
    RoomNotDefinedError: 409,
    IdempotencyKeySpentError: 409,
    UnavailableError: 503,
}


@dataclass
class Request:
    method: str
    resource: str
    headers: dict[str, str]  # names lower-cased
    query: dict[str, str]
    path_params: dict[str, str]
    body: str | None
    body_is_base64: bool
    request_id: str
    stage_prefix: str  # e.g. "/prod" on API Gateway, "" locally
    authorizer: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Request:
        context = event.get("requestContext") or {}
        path = event.get("path") or ""
        full_path = context.get("path") or path
        prefix = full_path[: len(full_path) - len(path)] if path and full_path.endswith(path) else ""
        return cls(
            method=str(event.get("httpMethod") or "").upper(),
            resource=str(event.get("resource") or ""),
            headers={str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()},
            query={str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()},
            path_params={str(k): str(v) for k, v in (event.get("pathParameters") or {}).items()},
            body=event.get("body"),
            body_is_base64=bool(event.get("isBase64Encoded")),
            request_id=str(context.get("requestId") or ""),
            stage_prefix=prefix,
            authorizer=context.get("authorizer") or {},
        )

    def customer(self) -> str:
        """The customer the authorizer proved; the only customer this request may touch.

        A second, different customer header is refused rather than silently ignored, so a client
        bug that sends both never goes unnoticed.
        """
        proved = self.authorizer.get("customer")
        if not isinstance(proved, str) or not proved:
            raise UnauthenticatedError("the request was not authorized")
        named = [normalize_customer(self.headers[h]) for h in ("x-customer", "customer") if h in self.headers]
        if len(set(named)) > 1:
            raise ValidationError(
                "the X-Customer and customer headers name different customers", field="X-Customer"
            )
        return proved

    def json_body(self) -> Any:
        raw = self.raw_body()
        if not raw.strip():
            raise ValidationError("a JSON body is required")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("the body is not valid UTF-8") from None
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicate_keys, parse_constant=_reject_constant)
        except ValidationError:
            raise
        except (ValueError, RecursionError):
            raise ValidationError("the body is not valid JSON") from None

    def raw_body(self) -> bytes:
        if self.body is None:
            return b""
        if self.body_is_base64:
            try:
                raw = base64.b64decode(self.body, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError("the body is not valid base64") from None
        else:
            raw = self.body.encode("utf-8", "surrogatepass")
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"the body is larger than {MAX_BODY_BYTES // 1024} KiB")
        return raw


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValidationError(f"duplicate field {key!r}", field=key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValidationError(f"{name} is not a JSON number")


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if str(key).lower() == name:
            return str(value)
    return None


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        # The newline ends the line a terminal (curl) prints, and costs one byte.
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n",
        "isBase64Encoded": False,
    }


def text_response(status: int, text: str) -> Response:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": text,
        "isBase64Encoded": False,
    }


def empty_response(status: int = 204) -> Response:
    return {"statusCode": status, "headers": {}, "body": "", "isBase64Encoded": False}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def error_response(exc: ReservationsError) -> Response:
    status = next((s for t, s in STATUS_BY_ERROR.items() if isinstance(exc, t)), 400)
    body = error_body(exc.code, exc.message, exc.field)
    headers: dict[str, str] = {}
    if isinstance(exc, ConflictError) and exc.holder is not None:
        body["error"]["conflicting_reservation"] = exc.holder.to_json()
    if isinstance(exc, ConflictingBlockError) and exc.block is not None:
        body["error"]["conflicting_block"] = exc.details()
    if isinstance(exc, UnavailableError):
        headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, MethodNotAllowedError):
        headers["Allow"] = ", ".join(exc.allowed)
    return json_response(status, body, headers)


Endpoint = Callable[[Request], Response]


def run(
    event: Mapping[str, Any],
    context: Any,
    endpoints: Mapping[tuple[str, str], Endpoint],
    *,
    public: bool = False,
) -> Response:
    """Runs the endpoint for the event's (method, resource) and maps every error to a response.

    ``public``: the routes carry no API key (a channel's calendar feed); the endpoint proves
    its own right to answer, and no customer is taken from an authorizer."""
    started = time.perf_counter()
    request_id = str(
        (event.get("requestContext") or {}).get("requestId") or getattr(context, "aws_request_id", "")
    )
    customer: str | None = None
    with counting() as store:
        try:
            request = Request.from_event(event)
            endpoint = endpoints.get((request.method, request.resource))
            if endpoint is None:
                allowed = sorted(m for m, r in endpoints if r == request.resource)
                if allowed:
                    raise MethodNotAllowedError(f"{request.method} is not allowed here", allowed)
                raise NotFoundError("no such route")
            if public:
                response = endpoint(request)
            else:
                customer = request.customer()
                with wiring.proved_table(customer, request.authorizer.get("table")):
                    response = endpoint(request)
        except ReservationsError as exc:
            response = error_response(exc)
        except Exception:
            logger.exception("unhandled error", extra={"request_id": request_id, "customer": customer})
            response = json_response(
                500, error_body("internal_error", "the server failed; nothing was changed")
            )
    response["headers"]["X-Request-Id"] = request_id
    origin = _header(event, "origin")
    if origin and origin.rstrip("/") in _CORS_ORIGINS | _stage_origins(event):
        # API Gateway passes proxy responses through as they are: a page on another origin can
        # read them only if the function itself names that origin.
        response["headers"].update(
            {
                "Access-Control-Allow-Origin": origin.rstrip("/"),
                "Access-Control-Expose-Headers": "Location, X-Request-Id, Retry-After, Idempotent-Replayed",
                "Vary": "Origin",
            }
        )
    request_line(
        "request",
        {
            "request_id": request_id,
            "customer": customer,
            "method": event.get("httpMethod"),
            "resource": event.get("resource"),
            "status": response["statusCode"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            # Keys the monitoring reads (terraform/modules/monitoring): the store metrics' filters
            # and the Contributor Insights rules that rank customers by them.
            "store_throttles": store.throttles,
            "store_errors": store.errors,
        },
    )
    coldstart.resume()
    return response
