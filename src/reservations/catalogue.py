"""The function catalogue: every Lambda function, its handler and its HTTP routes, defined once.

The local gateway's route table, the builder's list of valid ``FUNCTION_NAME`` values and the
Terraform variables (``terraform/functions.auto.tfvars.json``) are all derived from this module,
so a new function cannot be half-wired.  Kept import-light: the gateway and the builder read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

FunctionKind = Literal["api", "authorizer", "scheduler"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. "/reservations/{id}"
    compat: bool = False  # a route of the original app's clients


@dataclass(frozen=True)
class Function:
    name: str
    module: str
    kind: FunctionKind
    description: str
    routes: tuple[Route, ...] = field(default_factory=tuple)
    memory_mb: int = 256
    timeout_s: int = 10

    @property
    def handler(self) -> str:
        """The Lambda handler string, as Terraform and the runtime expect it."""
        return f"{self.module}.handler"


# The API functions' and the authorizer's memory, chosen by bench/cost.py: the lowest cost x latency.
# DynamoDB and API Gateway are most of a request's bill, so a whole vCPU (Lambda gives one at 1,769
# MB) costs about 1 % more per million requests than 256 MB, for a third of the latency and cold start.
API_MEMORY_MB = 1769

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="list",
        module="reservations.functions.list",
        kind="api",
        description="Lists a customer's reservations, one page at a time, or reads one by id.",
        routes=(
            Route("GET", "/reservations"),
            Route("GET", "/reservations/{id}"),
            Route("GET", "/get-res", compat=True),
        ),
        memory_mb=API_MEMORY_MB,
    ),
    Function(
        name="add",
        module="reservations.functions.add",
        kind="api",
        description="Adds a reservation; refuses a double booking atomically.",
        routes=(
            Route("POST", "/reservations"),
            Route("POST", "/add-res", compat=True),
        ),
        memory_mb=API_MEMORY_MB,
    ),
    Function(
        name="delete",
        module="reservations.functions.delete",
        kind="api",
        description="Deletes a reservation and frees its nights.",
        routes=(
            Route("DELETE", "/reservations/{id}"),
            Route("POST", "/delete-res", compat=True),
        ),
        memory_mb=API_MEMORY_MB,
    ),
    Function(
        name="change",
        module="reservations.functions.change",
        kind="api",
        description="Changes a reservation in place (same id), claiming and releasing nights atomically.",
        routes=(Route("PATCH", "/reservations/{id}"),),
    ),
    Function(
        name="list-rooms",
        module="reservations.functions.list_rooms",
        kind="api",
        description="Lists a customer's rooms in number order, one page at a time.",
        routes=(Route("GET", "/rooms"),),
    ),
    Function(
        name="put-room",
        module="reservations.functions.put_room",
        kind="api",
        description="Defines a room (or replaces its name and notes); a customer with rooms books only those.",
        routes=(Route("PUT", "/rooms/{room_number}"),),
    ),
    Function(
        name="delete-room",
        module="reservations.functions.delete_room",
        kind="api",
        description="Removes a room unless a reservation holds it from today on.",
        routes=(Route("DELETE", "/rooms/{room_number}"),),
    ),
    Function(
        name="availability",
        module="reservations.functions.availability",
        kind="api",
        description="Lists the customer's rooms free on every night of a stay.",
        routes=(Route("GET", "/availability"),),
    ),
    Function(
        name="authorizer",
        module="reservations.functions.authorizer",
        kind="authorizer",
        description="API Gateway REQUEST authorizer: proves the customer's API key.",
        memory_mb=API_MEMORY_MB,
    ),
    Function(
        name="cluster-down",
        module="reservations.functions.cluster_down",
        kind="scheduler",
        description="Tears the EKS cluster down one resumable step at a time.",
        timeout_s=120,
    ),
    Function(
        name="cluster-up",
        module="reservations.functions.cluster_up",
        kind="scheduler",
        description="Rebuilds the EKS cluster through a Terraform Cloud run.",
        timeout_s=120,
    ),
)

FUNCTION_NAMES: tuple[str, ...] = tuple(f.name for f in FUNCTIONS)


def get_function(name: str) -> Function:
    """Looks a function up by its catalogue name; the error lists the valid names."""
    for function in FUNCTIONS:
        if function.name == name:
            return function
    raise KeyError(f"unknown function {name!r}; valid names: {', '.join(FUNCTION_NAMES)}")


def routes() -> list[tuple[Route, Function]]:
    """Every HTTP route with the function that serves it."""
    return [(route, function) for function in FUNCTIONS for route in function.routes]


def terraform_variables() -> dict[str, Any]:
    """The catalogue as Terraform sees it (written to ``terraform/functions.auto.tfvars.json``)."""
    return {
        "functions": {
            f.name: {
                "handler": f.handler,
                "kind": f.kind,
                "description": f.description,
                "memory_mb": f.memory_mb,
                "timeout_s": f.timeout_s,
                "routes": [{"method": r.method, "path": r.path, "compat": r.compat} for r in f.routes],
            }
            for f in FUNCTIONS
        }
    }


def terraform_variables_json() -> str:
    return json.dumps(terraform_variables(), indent=2, sort_keys=True) + "\n"
