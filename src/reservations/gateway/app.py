"""The local API Gateway: real handlers behind an ASGI app, as API Gateway would run them.

For each request it builds the REST proxy event (``events``), runs the authorizer function and then
the function the catalogue names for the route, both in one worker thread (the handlers are
synchronous, like Lambda), and turns the proxy result back into HTTP.  Everything else — health,
the OpenAPI document, the static web page — is served by a small Starlette app.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from reservations import catalogue
from reservations.gateway import events

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit; functions enforce theirs
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")
CORS_ALLOW_HEADERS = "Content-Type, X-Customer, X-Api-Key, Idempotency-Key, customer, x-api-key, X-Request-Id"
CORS_EXPOSE_HEADERS = "Location, X-Request-Id, Retry-After, Idempotent-Replayed"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class LambdaContext:
    """The parts of Lambda's context object the functions (and Powertools) read."""

    aws_request_id: str
    function_name: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:{events.LOCAL_ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class CompiledRoute:
    pattern: re.Pattern[str]
    resource: str
    methods: dict[str, tuple[str, Handler]]  # method -> (function name, handler)
    public: frozenset[str] = frozenset()  # methods without an API key (catalogue ``Route.public``)


def _compile(resource: str) -> re.Pattern[str]:
    """Matched whole (``fullmatch``): a ``$`` also matches before a final newline, which routed
    ``/reservations/%0A`` to the collection instead of the reservation named ``\\n``."""
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(resource))
    return re.compile(f"{regex}/?")


def _load_handler(module: str) -> Handler:
    handler: Handler = importlib.import_module(module).handler
    return handler


def build_routes() -> list[CompiledRoute]:
    by_resource: dict[str, dict[str, tuple[str, Handler]]] = {}
    public: dict[str, set[str]] = {}
    for route, function in catalogue.routes():
        by_resource.setdefault(route.path, {})[route.method] = (function.name, _load_handler(function.module))
        if route.public:
            public.setdefault(route.path, set()).add(route.method)
    return [
        CompiledRoute(_compile(res), res, methods, frozenset(public.get(res, ())))
        for res, methods in by_resource.items()
    ]


def json_bytes(content: Any) -> bytes:
    """Every JSON body ends with a newline, as the functions' do: ``curl`` output then ends its line."""
    return (json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class _JSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def _json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return _JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class Gateway:
    def __init__(
        self, *, cors_origins: Sequence[str] = (), web_dir: Path | None = None, inline_reads: bool = False
    ) -> None:
        """``inline_reads``: GETs run on the event loop, for a store whose reads never wait (the
        caller, which chose the store, says so; the gateway, like API Gateway, knows none)."""
        self.routes = build_routes()
        self.authorizer = _load_handler(catalogue.get_function("authorizer").module)
        self.cors_origins = {o.rstrip("/") for o in cors_origins}
        self.inline_reads = inline_reads
        self.site = self._site(web_dir)

    def _site(self, web_dir: Path | None) -> Starlette:
        async def healthz(_: Request) -> Response:
            return _JSONResponse({"status": "ok"})

        async def openapi(_: Request) -> Response:
            from reservations.domain.parsing import today_utc
            from reservations.gateway import document

            return Response(document.served(today_utc()), media_type="application/json")

        routes: list[Route | Mount] = [Route("/healthz", healthz), Route("/openapi.json", openapi)]
        if web_dir is not None and web_dir.is_dir():
            routes.append(Mount("/", StaticFiles(directory=web_dir, html=True)))

        async def not_found(_: Request, __: Exception) -> Response:
            return _json(404, "not_found", "no such route")

        async def method_not_allowed(_: Request, exc: Exception) -> Response:
            # RFC 9110: a 405 lists the methods the resource has (Starlette puts them on the exception).
            allow = dict(getattr(exc, "headers", None) or {}).get("Allow", "GET, HEAD")
            return _json(405, "method_not_allowed", "method not allowed here", {"Allow": allow})

        return Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed})

    def match(self, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found:
                return route, found.groupdict()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.site(scope, receive, send)
            return
        matched = self.match(scope["path"])
        if matched is None:
            await self.site(scope, receive, send)
            return
        status, headers, body = await self._api(scope, receive, *matched)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _api(
        self, scope: Scope, receive: Receive, route: CompiledRoute, params: dict[str, str]
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Plain ASGI on the hot path: every API request passes here, so no framework objects."""
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers]
        lookup = {k.lower(): v for k, v in headers}
        cors = self._cors_headers(lookup.get("origin", "").rstrip("/"))
        method: str = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in lookup:
            preflight = {**cors, "Access-Control-Max-Age": "600"} if cors else {}
            if cors:
                preflight["Access-Control-Allow-Methods"] = ", ".join(sorted({*route.methods, "OPTIONS"}))
                preflight["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
            return 204 if cors else 403, _encode(preflight.items()), b""
        if method not in route.methods:
            allowed = ", ".join(sorted(route.methods))
            return _json_error(
                405, "method_not_allowed", f"{method} is not allowed here", {"Allow": allowed, **cors}
            )
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _json_error(400, "validation_error", "the client went away", cors)
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_REQUEST_BYTES:
                return _json_error(413, "payload_too_large", "the request body is too large", cors)
        incoming_id = lookup.get("x-request-id", "")
        http_request = events.HttpRequest(
            method=method,
            path=scope["path"],
            headers=headers,
            query=_query_pairs(scope.get("query_string", b"")),
            body=bytes(body),
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
            request_id=incoming_id if _REQUEST_ID_RE.fullmatch(incoming_id) else events.new_request_id(),
        )
        function_name, handler = route.methods[method]
        if method == "GET" and self.inline_reads:
            # SQLite reads take a fraction of a millisecond and never wait on the disk: running them
            # on the event loop saves the hand-over to a worker thread (and the GIL ping-pong).
            # DynamoDB reads wait on the network, so they stay in threads.
            result = self._invoke(http_request, route, params, function_name, handler)
        else:
            # Writes wait for fsync; in a thread, reads go on meanwhile.
            result = await run_in_threadpool(
                self._invoke, http_request, route, params, function_name, handler
            )
        response = events.from_proxy_result(result)
        out = [(k, v) for k, v in response.headers if k.lower() not in _CORS_NAMES]
        out += cors.items()
        if not any(k.lower() == "x-request-id" for k, _ in out):
            out.append(("X-Request-Id", http_request.request_id))
        out.append(("Content-Length", str(len(response.body))))
        return response.status, _encode(out), response.body

    def _invoke(
        self,
        request: events.HttpRequest,
        route: CompiledRoute,
        params: dict[str, str],
        function_name: str,
        handler: Handler,
    ) -> dict[str, Any]:
        """Authorizer, then function, in one thread: as API Gateway, a refused request never reaches it."""
        resource = route.resource
        if request.method in route.public:  # as API Gateway's authorization NONE: no authorizer
            return handler(
                events.proxy_event(request, resource, params, {}),
                LambdaContext(request.request_id, function_name),
            )
        missing = _missing_identity(request.headers)
        if missing:  # as API Gateway, which calls no authorizer without its identity sources
            return _error_result(401, "unauthenticated", missing, request.request_id)
        auth_event = events.authorizer_event(request, resource, params)
        try:
            auth = self.authorizer(auth_event, LambdaContext(request.request_id, "authorizer"))
        except Exception as exc:  # API Gateway: "Unauthorized" -> 401, anything else -> AUTHORIZER_FAILURE
            if str(exc) == "Unauthorized":
                return _error_result(401, "unauthenticated", "invalid API key", request.request_id)
            # The authorizer fails when the registry cannot answer (throttled, unreachable): the
            # AUTHORIZER_FAILURE gateway response (terraform/modules/rest_api/responses.tf) says
            # 503 + Retry-After, so the client retries rather than reporting a server bug.
            result = _error_result(
                503,
                "unavailable",
                "the API key cannot be checked now; nothing was changed",
                request.request_id,
            )
            result["headers"]["Retry-After"] = "1"
            return result
        statement = auth["policyDocument"]["Statement"][0]
        context = dict(auth.get("context") or {})
        if statement["Effect"] != "Allow":
            message = str(context.get("error_message") or "forbidden")
            return _error_result(403, "forbidden", message, request.request_id)
        context["principalId"] = auth["principalId"]
        event = events.proxy_event(request, resource, params, context)
        return handler(event, LambdaContext(request.request_id, function_name))

    def _cors_headers(self, origin: str) -> dict[str, str]:
        if not origin or not (origin in self.cors_origins or "*" in self.cors_origins):
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
            "Vary": "Origin",
        }


def create_app() -> Gateway:
    """The app factory each server process calls; configured by the environment ``serve`` sets."""
    import os

    from reservations.gateway import lifeline

    lifeline.follow_supervisor()

    origins = [o for o in os.environ.get("RESERVATIONS_CORS_ORIGINS", "").split(",") if o]
    web_dir = os.environ.get("RESERVATIONS_WEB_DIR")
    inline_reads = os.environ.get("RESERVATIONS_GATEWAY_INLINE_READS") == "1"
    return Gateway(
        cors_origins=origins, web_dir=Path(web_dir) if web_dir else None, inline_reads=inline_reads
    )


_CORS_NAMES = {"access-control-allow-origin", "access-control-expose-headers", "vary"}


def _encode(pairs: Any) -> list[tuple[bytes, bytes]]:
    return [(str(k).lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in pairs]


def _json_error(
    status: int, code: str, message: str, headers: dict[str, str]
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json_bytes({"error": {"code": code, "message": message}})
    pairs = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers.items()]
    return status, _encode(pairs), body


def _error_result(status: int, code: str, message: str, request_id: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Request-Id": request_id},
        "body": json_bytes({"error": {"code": code, "message": message}}).decode(),
    }


def _missing_identity(headers: Sequence[tuple[str, str]]) -> str | None:
    """Which header a request lacks to be authorized at all (blank counts as absent).

    Said before the key is checked, so it tells a caller nothing about which keys or customers exist.
    """
    given = {name.lower() for name, value in headers if value.strip()}
    if "x-api-key" not in given:
        return "missing API key: send it in the X-Api-Key header"
    if not given & {"x-customer", "customer"}:
        return "missing customer: send its name in the X-Customer header"
    return None


def _query_pairs(raw: bytes) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
