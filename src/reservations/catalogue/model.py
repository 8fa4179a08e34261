"""The catalogue's vocabulary: what a function, a route and a grant are (the entries are in
``catalogue.api`` and ``catalogue.operations``, the resources they reach in ``catalogue.grants``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FunctionKind = Literal["api", "authorizer", "scheduler", "sync", "admin"]


@dataclass(frozen=True)
class Condition:
    operator: str  # e.g. "StringEquals"
    key: str  # e.g. "kms:ViaService"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    """One statement of a role's policy: IAM actions on ARN templates, under optional conditions.

    ``called`` grants are the AWS API calls the function's code makes (the IAM action of a call is
    the service's signing name and the operation, e.g. ``dynamodb:GetItem``; a DynamoDB transaction
    is authorised per item, as ``PutItem``/``DeleteItem``/...).  Others are what AWS needs on the
    code's behalf and the code never calls itself: KMS through DynamoDB, ``iam:PassRole``.
    """

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    called: bool = True


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. "/reservations/{id}"
    compat: bool = False  # a route of the original app's clients
    # No API key and no authorizer: the function proves the caller's right itself (a channel's
    # calendar feed, whose URL carries an unguessable token, since channels cannot send a key).
    public: bool = False


@dataclass(frozen=True)
class Function:
    name: str
    module: str
    kind: FunctionKind
    description: str
    routes: tuple[Route, ...] = field(default_factory=tuple)
    memory_mb: int = 256
    timeout_s: int = 10
    grants: tuple[Grant, ...] = ()  # the function's own role
    # A role assumed per request with the session tag customer=<proved customer>: what the function
    # does to that one customer's table.  Non-empty means the function's own role reaches no table.
    tenant_grants: tuple[Grant, ...] = ()

    @property
    def handler(self) -> str:
        """The Lambda handler string, as Terraform and the runtime expect it."""
        return f"{self.module}.handler"
