"""Lambda entry point ``reservations.functions.authorizer.handler``: the API Gateway REQUEST authorizer.

Answers as API Gateway requires: raising ``Exception("Unauthorized")`` makes a 401; a Deny policy a
403.  An Allow policy covers every method of the stage, because API Gateway caches the result per
(key, customer) and reuses it for the caller's other routes.  The proved customer travels to the
application functions in the policy's context, the only customer they trust, with the table the
registry names for it (a restore may have moved it to a restored copy).
"""

from __future__ import annotations

import os
from typing import Any

from reservations import wiring
from reservations.domain.errors import ForbiddenError, UnauthenticatedError
from reservations.functions import coldstart, snapstart  # noqa: F401  (SnapStart hooks, registered on import)
from reservations.functions.runtime import logger
from reservations.tenants.auth import authorize

_USAGE_KEY_PREFIX = os.environ.get("RESERVATIONS_USAGE_KEY_PREFIX", "")


class UnauthorizedError(Exception):
    """The exact message API Gateway turns into a 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _stage_arn(method_arn: str) -> str:
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/resource -> .../api-id/stage/*/*
    prefix, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0] if rest else "*"
    return f"{prefix}/{stage}/*/*"


def _policy(principal: str, effect: str, method_arn: str, context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": _stage_arn(method_arn)}
            ],
        },
        "context": context,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return _authorize(event)
    finally:
        coldstart.resume()


def _authorize(event: dict[str, Any]) -> dict[str, Any]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    named = headers.get("x-customer") if "x-customer" in headers else headers.get("customer")
    method_arn = str(event.get("methodArn") or "arn:aws:execute-api:local:000000000000:local/local/*/*")
    request_id = str((event.get("requestContext") or {}).get("requestId", ""))
    try:
        customer = authorize(wiring.registry(), named, headers.get("x-api-key"))
    except UnauthenticatedError as exc:
        logger.info("unauthenticated", extra={"request_id": request_id, "reason": exc.message})
        raise UnauthorizedError() from None
    except ForbiddenError as exc:
        logger.info("forbidden", extra={"request_id": request_id, "reason": exc.message})
        return _policy(
            "anonymous", "Deny", method_arn, {"error_code": exc.code, "error_message": exc.message}
        )
    # The table travels with the customer: the API functions never read the registry (nor may they).
    allowed = _policy(
        customer.name, "Allow", method_arn, {"customer": customer.name, "table": customer.table}
    )
    if _USAGE_KEY_PREFIX:  # API Gateway enforces the customer's usage plan through this key
        allowed["usageIdentifierKey"] = f"{_USAGE_KEY_PREFIX}{customer.name}"
    return allowed
