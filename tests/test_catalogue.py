import importlib
import importlib.util

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
