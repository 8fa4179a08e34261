import importlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

from reservations import catalogue


def test_names_are_unique_and_lookup_lists_valid_names():
    assert len(set(catalogue.FUNCTION_NAMES)) == len(catalogue.FUNCTIONS)
    with pytest.raises(KeyError, match="list, add, delete"):
        catalogue.get_function("nope")


def test_every_route_is_unique():
    keys = [(r.method, r.path) for r, _ in catalogue.routes()]
    assert len(keys) == len(set(keys))


def test_handler_modules_exist():
    for function in catalogue.FUNCTIONS:
        if function.kind == "scheduler":
            continue
        assert importlib.util.find_spec(function.module) is not None, function.module


@pytest.mark.parametrize(
    "function", [f for f in catalogue.FUNCTIONS if f.kind == "api"], ids=lambda f: f.name
)
def test_each_handler_serves_exactly_the_routes_the_catalogue_gives_it(function: catalogue.Function) -> None:
    """Two route tables (the handler's ENDPOINTS, the catalogue's routes) must say the same thing: API
    Gateway and the local gateway send a function what the catalogue lists, and the handler answers
    only what its ENDPOINTS lists, so a route in one and not the other is a 404 in AWS only."""
    module = importlib.import_module(function.module)
    assert set(module.ENDPOINTS) == {(route.method, route.path) for route in function.routes}


def test_the_document_asks_for_the_customer_header_api_gateway_checks_on_each_route() -> None:
    """In AWS a route's authorizer is called only when its identity headers are there (the rest_api
    module: X-Customer on the API's routes, ``customer`` on the original app's), so the document must
    not promise the other header where API Gateway would answer 401 before any code runs."""
    root = Path(__file__).resolve().parents[1]
    document = json.loads((root / "src" / "reservations" / "openapi.json").read_text())
    hcl = (root / "terraform" / "modules" / "rest_api" / "main.tf").read_text()
    sources = dict(re.findall(r'^\s*(main|compat)\s*=\s*"([^"]+)"', hcl, re.M))
    header_of = {
        scheme["name"].lower(): name
        for name, scheme in document["components"]["securitySchemes"].items()
        if scheme["in"] == "header"
    }
    for route, _function in catalogue.routes():
        if route.public:
            continue
        operation = document["paths"][route.path][route.method.lower()]
        asked = operation.get("security", document["security"])
        wanted = {
            header_of[source.rsplit(".", 1)[1].lower()]
            for source in sources["compat" if route.compat else "main"].split(",")
        }
        assert [set(option) for option in asked] == [wanted], (route.method, route.path, asked)
