"""No function waits for CloudFront: nothing the function module is given refers to the web page.

A distribution takes many minutes to deploy.  When the functions' environment named the page's
origin (for CORS), every function, alias and deployment group waited for it.  The page's origin now
reaches the functions through the API stage's variable ``corsOrigins``; this follows every local
the ``function`` module's arguments use, transitively, and fails on a reference to ``module.web``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .hcl import root

LOCAL = re.compile(r"\blocal\.([A-Za-z0-9_]+)")


def references(value: Any) -> str:
    return json.dumps(value)


def test_the_function_module_never_refers_to_the_web_page() -> None:
    config = root()
    seen: set[str] = set()
    text = references(config.module_calls["function"])
    pending = set(LOCAL.findall(text))
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        body = references(config.locals[name])
        text += body
        pending |= set(LOCAL.findall(body))
    assert "function_environment" in seen
    assert "store_environment" in seen
    assert "module.web" not in text, f"the functions depend on the web page through {sorted(seen)}"


def test_the_stage_carries_every_allowed_origin_the_page_included() -> None:
    config = root()
    assert "local.web_origins" in references(config.locals["cors_allowed_origins"])
    assert "module.web" in references(config.locals["web_origins"])
    assert (
        references(config.module_calls["rest_api"]["cors_allowed_origins"])
        == '"${local.cors_allowed_origins}"'
    )
    stage = config.source_of("rest_api").resource("aws_api_gateway_stage", "this")
    assert "corsOrigins" in references(stage["variables"])
    assert "var.cors_allowed_origins" in references(stage["variables"])
