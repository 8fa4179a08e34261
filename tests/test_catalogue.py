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
