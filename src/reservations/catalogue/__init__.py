"""The function catalogue: every Lambda function, its handler, its HTTP routes and its AWS calls, defined once.

The local gateway's route table, the builder's list of valid ``FUNCTION_NAME`` values, the
Terraform variables (``terraform/cell/functions.auto.tfvars.json``) and every function's IAM policies
(``terraform/modules/iam/policies.json.tftpl``, rendered by ``reservations.iam``) are all derived
from this module, so a new function cannot be half-wired, nor hold a permission its code does not
use: a test records every AWS call the functions make and fails on one not declared here.  Kept
import-light: the gateway and the builder read it.
"""

from __future__ import annotations

import json
from typing import Any

from reservations.catalogue.api import API_FUNCTIONS, AUTHORIZER
from reservations.catalogue.grants import (
    CLUSTER,
    CUSTOMER_TABLES,
    FARGATE_PROFILES,
    NODEGROUPS,
    ONBOARDED_TABLES,
    REGISTRY_TABLE,
)
from reservations.catalogue.model import Condition, Function, FunctionKind, Grant, Route
from reservations.catalogue.operations import CHANNEL_SYNC, OPERATIONS

__all__ = [
    "CLUSTER",
    "CUSTOMER_TABLES",
    "FARGATE_PROFILES",
    "FUNCTIONS",
    "FUNCTION_NAMES",
    "NODEGROUPS",
    "ONBOARDED_TABLES",
    "REGISTRY_TABLE",
    "Condition",
    "Function",
    "FunctionKind",
    "Grant",
    "Route",
    "get_function",
    "routes",
    "terraform_variables",
    "terraform_variables_json",
]

FUNCTIONS: tuple[Function, ...] = (*API_FUNCTIONS, CHANNEL_SYNC, AUTHORIZER, *OPERATIONS)


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
    """The catalogue as Terraform sees it (written to ``terraform/cell/functions.auto.tfvars.json``)."""
    return {
        "functions": {
            f.name: {
                "handler": f.handler,
                "kind": f.kind,
                "description": f.description,
                "memory_mb": f.memory_mb,
                "timeout_s": f.timeout_s,
                "routes": [
                    {"method": r.method, "path": r.path, "compat": r.compat, "public": r.public}
                    for r in f.routes
                ],
            }
            for f in FUNCTIONS
        }
    }


def terraform_variables_json() -> str:
    return json.dumps(terraform_variables(), indent=2, sort_keys=True) + "\n"
