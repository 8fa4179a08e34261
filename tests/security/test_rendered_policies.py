"""The policies the tests evaluate are the ones Terraform attaches: one committed template, generated
from the catalogue, filled by Terraform's own templatefile exactly as by the tests' renderer."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reservations.iam import TEMPLATE_VARIABLES, TRUST_VARIABLES, render, template_json, trust_template_json
from tests.security.deployed import (
    ROOT,
    TEMPLATE,
    TRUST_TEMPLATE,
    TRUST_VALUES,
    VALUES,
    rendered_policies,
    rendered_trusts,
)
from tests.terraform.console import templatefile

IAM_MODULE = ROOT / "terraform" / "modules" / "iam" / "main.tf"


TEMPLATES = [
    (TEMPLATE, template_json, TEMPLATE_VARIABLES),
    (TRUST_TEMPLATE, trust_template_json, TRUST_VARIABLES),
]


@pytest.mark.parametrize(
    ("template", "generate", "variables"), TEMPLATES, ids=lambda t: getattr(t, "name", "")
)
def test_each_committed_template_is_the_catalogue_rendered_and_read_by_terraform_with_its_variables(
    template: Path, generate: Callable[[], str], variables: tuple[str, ...]
) -> None:
    text = template.read_text(encoding="utf-8")
    assert text == generate(), f"{template.relative_to(ROOT)} is stale: run make tfvars"
    assert set(re.findall(r"(?<!\$)\$\{([a-z_]+)\}", text)) == set(variables)
    module = IAM_MODULE.read_text(encoding="utf-8")
    call = re.search(
        r'templatefile\("\$\{path\.module\}/' + re.escape(template.name) + r'",\s*\{(.*?)\}\)', module, re.S
    )
    assert call, f"the iam module must read {template.name} with templatefile"
    assert set(re.findall(r"^\s*([a-z_]+)\s*=", call.group(1), re.M)) == set(variables)


@pytest.mark.parametrize(
    ("template", "values", "ours"),
    [(TEMPLATE, VALUES, rendered_policies), (TRUST_TEMPLATE, TRUST_VALUES, rendered_trusts)],
    ids=["policies", "trusts"],
)
def test_terraforms_templatefile_renders_what_the_tests_evaluate(
    template: Path, values: dict[str, str], ours: Callable[[], dict[str, Any]]
) -> None:
    by_terraform = json.loads(templatefile(template, values))
    assert by_terraform == ours()


def test_the_renderer_refuses_an_unknown_variable_and_keeps_policy_variables() -> None:
    assert render("$${aws:PrincipalTag/customer}-${name}", {"name": "x"}) == "${aws:PrincipalTag/customer}-x"
    try:
        render("${nope}", {})
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown variable must fail, as in Terraform")
