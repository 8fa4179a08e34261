"""What the zips leave to the Lambda runtime (its SDK) and when they carry bytecode."""

from __future__ import annotations

import sys

import pytest

from reservations.build.builder import BuildError, BuildRequest, target_bytecode
from reservations.build.deps import DependencyError, check_no_runtime_copy
from reservations.build.project import RUNTIME_PROVIDED, provided_by_runtime
from tests.support.builds import LOCAL_PYTHON, Builds


@pytest.mark.parametrize(
    ("requirement", "provided"),
    [
        ("boto3>=1.34,<2", True),
        ("botocore==1.44.8", True),
        ("Boto3 ; python_version>='3.11'", True),
        ("aws-lambda-powertools>=3.0", False),
        ("boto3-stubs>=1", False),
    ],
)
def test_requirements_naming_the_sdk_are_left_to_the_runtime(requirement: str, provided: bool) -> None:
    assert provided_by_runtime(requirement) is provided


def test_no_zip_requirement_names_the_sdk_and_the_runtime_gets_the_locked_one(builds: Builds) -> None:
    project = builds.project
    for function in ("list", "cluster-up"):
        assert not any(provided_by_runtime(r) for r in project.requirements(function))
    pins = project.pins()
    assert project.runtime_requirements() == [f"{name}=={pins[name]}" for name in sorted(RUNTIME_PROVIDED)]


def test_a_dependency_that_pulls_the_sdk_back_in_stops_the_build() -> None:
    with pytest.raises(DependencyError, match="botocore, which the Lambda runtime provides"):
        check_no_runtime_copy({"aws-lambda-powertools": "3.37.0", "botocore": "1.44.8"})
    check_no_runtime_copy({"aws-lambda-powertools": "3.37.0"})


def test_bytecode_only_for_the_interpreter_that_is_the_targets() -> None:
    other = "3.99"
    assert target_bytecode(BuildRequest("list", python_version=LOCAL_PYTHON)) == sys.implementation.cache_tag
    assert target_bytecode(BuildRequest("list", python_version=LOCAL_PYTHON, bytecode=False)) is None
    assert target_bytecode(BuildRequest("list", python_version=other)) is None
    with pytest.raises(BuildError, match=f"bytecode for Python {other} must be compiled by it"):
        target_bytecode(BuildRequest("list", python_version=other, bytecode=True))
