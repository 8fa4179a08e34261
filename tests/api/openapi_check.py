"""Checks responses against the committed OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "src/reservations/openapi.json").read_text())
_REGISTRY: Registry[Any] = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(OPENAPI))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = OPENAPI
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def check(response: httpx.Response, path: str, method: str) -> None:
    """Fails unless the status is documented for the operation and the JSON body matches its schema."""
    operation = OPENAPI["paths"][path][method.lower()]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {path} answered undocumented {status}: {response.text}"
    spec = _resolve(documented[status])
    content = spec.get("content", {})
    if "application/json" in content:
        assert response.headers["content-type"].startswith("application/json")
        schema = dict(content["application/json"]["schema"])
        if "$ref" in schema:
            schema = {"$ref": "urn:openapi" + schema["$ref"]}
        validator = jsonschema.Draft202012Validator(
            schema, registry=_REGISTRY, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        validator.validate(response.json())
    elif not content:
        assert response.content == b""
