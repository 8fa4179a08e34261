"""The Python edge of ``serve --cells`` where nginx is not installed (``cell_nginx`` is the other):
one URL, each request sent to its customer's cell, routed as the nginx edge routes it.

The customer is the custom domain in ``Host`` (whatever the headers claim), else the
``X-Customer`` (or legacy ``customer``) header; the directory (``cells.routing``) says its cell.  A customer the directory does not hold
is answered 401 as a bad key would be (the cells' authorizers never see it); a customer switching
cells has its writes refused with 503 and ``Retry-After`` until the switch.  Requests that name no
customer (the web page, the OpenAPI document, health) go to the first cell: every cell serves them.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reservations.cells.config import Cells
from reservations.cells.routing import MapCache, route
from reservations.edge.render import (
    INVALID_KEY_MESSAGE,
    MISSING_KEY_MESSAGE,
    MOVING_MESSAGE,
    MOVING_RETRY_AFTER_S,
)
from reservations.gateway.app import json_bytes

# Hop-by-hop headers, and those the proxy sets itself.
_DROPPED = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json_bytes({"error": {"code": code, "message": message}})
    return Response(body, status, headers=headers, media_type="application/json")


class CellRouter:
    def __init__(self, cells: Cells, cache: MapCache) -> None:
        self._urls = {cell.name: cell.api_url.rstrip("/") for cell in cells.cells}
        self._first = cells.cells[0].name
        self._cache = cache
        self._client = httpx.AsyncClient(
            timeout=cells.write_timeout_s, limits=httpx.Limits(max_connections=200)
        )
        self.refused = 0  # writes refused while their customer switched cells

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self._answer(request)
        except ClientDisconnect:
            return  # the caller left before its request was read: there is no one to answer
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        known = await run_in_threadpool(self._cache.current)
        header = request.headers.get("x-customer") or request.headers.get("customer")
        customer = known.customer(header, request.headers.get("host"))
        extra: dict[str, str] = {}
        mapped = known.host_customer(request.headers.get("host")) is not None
        if customer is None and header is None:
            cell = self._first
        elif customer is None:
            cell = self._first  # a malformed name: the cell's own validation answers it
        else:
            decision = route(known, customer, request.method)
            if decision.cell is None:
                return self._unknown(request)
            if decision.refuse_write:
                self.refused += 1
                retry = {"Retry-After": str(MOVING_RETRY_AFTER_S)}
                return _error(503, "unavailable", MOVING_MESSAGE, retry)
            cell = decision.cell
            if mapped:
                extra["X-Customer"] = customer  # named by its custom domain, whatever the client sent
        return await self._forward(request, self._urls[cell], extra)

    @staticmethod
    def _unknown(request: Request) -> Response:
        if not request.headers.get("x-api-key"):
            return _error(401, "unauthenticated", MISSING_KEY_MESSAGE)
        return _error(401, "unauthenticated", INVALID_KEY_MESSAGE)

    async def _forward(self, request: Request, base: str, extra: dict[str, str]) -> Response:
        # Stripped: a value with surrounding whitespace (which the cells ignore) is no header httpx sends.
        # A header the router sets itself replaces the client's (and the legacy name goes with it).
        dropped = _DROPPED | ({"x-customer", "customer"} if extra else set())
        headers = [(k, v.strip()) for k, v in request.headers.items() if k.lower() not in dropped]
        headers += list(extra.items())
        # The path as it came, still percent-encoded: decoded, ``/reservations/%0A`` would reach the
        # cell as ``/reservations/`` plus a newline httpx drops, the collection instead of an id.
        path = request.scope.get("raw_path") or request.url.path.encode()
        url = base + path.decode("latin-1") + (f"?{request.url.query}" if request.url.query else "")
        try:
            answer = await self._client.request(
                request.method, url, headers=headers, content=await request.body()
            )
        except httpx.TimeoutException:
            return _error(504, "unavailable", "the customer's cell did not answer in time: retry shortly")
        except httpx.TransportError:
            return _error(502, "unavailable", "the customer's cell cannot be reached: retry shortly")
        kept: list[Any] = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in _DROPPED]
        response = Response(answer.content, answer.status_code)
        for key, value in kept:
            response.headers.append(key, value)
        return response

    async def close(self) -> None:
        await self._client.aclose()
