"""The directory's two roles (terraform/modules/directory) hold exactly the calls the adapter makes.

``stores/dynamodb_directory.py`` runs on moto's server over HTTP, each of its botocore calls recorded
with a ``before-parameter-build`` hook and turned into IAM actions as ``tests/aws_calls.py`` does (a
transaction needs the action of each item).  The edge's path (``cells.routing.MapCache``: a poll, a
changed version, the whole map read again) must use exactly what the read role grants; onboarding's,
deletion's and a move's (places, refusals, hosts, a move marked and switched, removals) exactly what
the write role grants.  The table itself is Terraform's, so ``CreateTable`` is in neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from reservations.cells.routing import MapCache
from reservations.domain.errors import ValidationError
from reservations.settings import Settings
from reservations.stores.dynamodb_client import make_client
from reservations.stores.dynamodb_directory import DynamoDBDirectory
from tests.aws_calls import iam_actions
from tests.support.settings import settings_for
from tests.terraform.hcl import TERRAFORM, load_module


class Recorded:
    """A directory whose client records the IAM actions of every call it makes."""

    def __init__(self, settings: Settings) -> None:
        self.actions: set[str] = set()
        client = make_client(settings)
        client.meta.events.register("before-parameter-build.dynamodb", self._record)
        self.directory = DynamoDBDirectory(client, f"{settings.table_prefix}reservations-directory")

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.actions.update(iam_actions("dynamodb", model.name, params)[0])

    def take(self) -> set[str]:
        taken, self.actions = self.actions, set()
        return taken


@pytest.fixture
def recorded(moto_endpoint: str, tmp_path: Any) -> Iterator[Recorded]:
    settings = settings_for("dynamodb", tmp_path, moto_endpoint, tenant_role_arn=None)
    opened = Recorded(settings)
    opened.directory.ensure_table()  # Terraform's part, not a role's
    opened.take()
    try:
        yield opened
    finally:
        opened.directory.close()


def granted(local: str) -> set[str]:
    """The DynamoDB actions of a role, as the module's locals list them for its policy."""
    module = load_module(TERRAFORM / "modules" / "directory")
    statements = {
        name: body["statement"]
        for (kind, name), body in module.data.items()
        if kind == "aws_iam_policy_document" and name in ("read", "write")
    }
    for name, found in statements.items():
        actions = [
            a for s in found for a in (s["actions"] if isinstance(s["actions"], list) else [s["actions"]])
        ]
        assert f"${{local.{name}_actions}}" in actions, (
            f"the {name} policy does not grant local.{name}_actions"
        )
    value = str(module.locals[local])
    included = granted("read_actions") if local != "read_actions" and "local.read_actions" in value else set()
    return included | set(re.findall(r"dynamodb:\w+", value))


def onboard_move_and_remove(directory: DynamoDBDirectory) -> None:
    assert directory.place("star", "c1") is True
    assert directory.place("star", "c1") is False  # a rerun of onboarding
    with pytest.raises(ValidationError):
        directory.place("star", "c2")
    directory.place("moon", "c2")
    assert directory.add_host("book.star.example", "star") is True
    with pytest.raises(ValidationError):
        directory.add_host("book.star.example", "moon")
    directory.begin_move("star", "c2")
    directory.finish_move("star")
    assert directory.remove_host("book.star.example") == "star"
    directory.add_host("rooms.moon.example", "moon")
    directory.remove("moon")
    assert [p.customer for p in directory.placements()] == ["star"]


def test_the_write_role_holds_exactly_what_onboarding_and_moves_call(recorded: Recorded) -> None:
    onboard_move_and_remove(recorded.directory)
    used = recorded.take()
    declared = granted("write_actions")
    assert used == declared, ("declared but never called:", declared - used, "called:", used - declared)


def test_the_read_role_holds_exactly_what_the_edge_calls(recorded: Recorded) -> None:
    recorded.directory.place("star", "c1")
    recorded.directory.add_host("book.star.example", "star")
    recorded.take()
    cache = MapCache(recorded.directory, poll_s=0.0)
    assert cache.current().cells == {"star": "c1"}
    recorded.directory.place("moon", "c2")
    assert recorded.take() - granted("read_actions"), "a write needs more than the read role"
    known = cache.current()  # the version moved: the whole map again
    assert known.cells == {"star": "c1", "moon": "c2"}
    assert known.hosts == {"book.star.example": "star"}
    assert cache.failures == 0
    used = recorded.take()
    declared = granted("read_actions")
    assert used == declared, ("declared but never called:", declared - used, "called:", used - declared)
