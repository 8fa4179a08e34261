"""Names that reach a table ARN, a session tag or nginx's configuration are checked whole.

``re.match`` with ``$`` accepts a trailing newline (``$`` matches before one), so ``"star\\n"`` once
passed as a customer name; every pattern is now applied with ``fullmatch``, and none is written with
anchors that would let the old mistake back in unnoticed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from reservations.domain.errors import ValidationError
from reservations.domain.tenancy import validate_customer_name
from reservations.edge.config import EdgeConfigError, parse_tenants
from reservations.stores.dynamodb_tenants import TenantClients

SRC = Path(__file__).resolve().parents[2] / "src" / "reservations"


def test_a_customer_name_with_a_trailing_newline_is_refused_everywhere() -> None:
    assert validate_customer_name("star") == "star"
    with pytest.raises(ValidationError):
        validate_customer_name("star\n")
    unused = TenantClients(object(), "arn:aws:iam::123456789012:role/t", lambda creds: None)
    with pytest.raises(ValueError, match="is not a customer name"):
        unused.client_for("star\n")
    assert parse_tenants({"star.example.com": "star"}, "tenants.json") == {"star.example.com": "star"}
    with pytest.raises(EdgeConfigError):
        parse_tenants({"star.example.com": "star\n"}, "tenants.json")


def _compiled_patterns() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "compile"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((f"{path.relative_to(SRC)}:{node.lineno}", node.args[0].value))
    return found


def test_no_pattern_is_anchored_with_a_dollar_that_lets_a_newline_through() -> None:
    patterns = _compiled_patterns()
    assert len(patterns) > 10  # the scan sees the modules' patterns
    anchored = [where for where, pattern in patterns if re.search(r"(?<!\\)\$$", pattern)]
    assert not anchored, f"end-anchored with $ (use fullmatch without anchors): {anchored}"
