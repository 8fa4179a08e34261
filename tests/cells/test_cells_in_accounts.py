"""Cells in AWS, as an operator runs the ``tenants`` commands: each cell in an account of its own
and the directory in the control account, each reached through a named AWS profile (a role there,
assumed from the operator's own credentials), all written in ``cells.json``.

No endpoint is configured anywhere (as in AWS): ``AWS_ENDPOINT_URL`` sends every client to moto's
server on loopback.  So onboarding is the AWS operation (the table with the cell's key and backup
tag, the usage key in the cell's plan), and moto keeps each account apart: an assumed role's
credentials sign as the role's account, and a table made in the wrong account is not where this
looks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner, Result

from reservations.cells.config import Cell, Cells, DirectoryTable, open_directory, save_cells
from reservations.cli import app
from reservations.domain.parsing import now_utc
from reservations.domain.reservation import ListQuery
from reservations.stores import open_registry, open_store
from reservations.stores.directory import Placement
from reservations.stores.dynamodb_client import profile_session
from reservations.tenants.auth import authorize
from tests.aws_calls import iam_actions
from tests.support.stores import new

ACCOUNTS = {"cell-c1": "111111111111", "cell-c2": "222222222222", "control": "333333333333"}
PREFIX = "reservations-usage-identifier-"


def client(profile: str, service: str) -> Any:
    """A client in the profile's account (moto through AWS_ENDPOINT_URL, as every client here)."""
    return boto3.Session(profile_name=profile).client(service, region_name="us-east-1")


def cell_in_its_account(name: str) -> Cell:
    """What the cell root's terraform outputs give cells.json: its key, backup tag and tiers' plans."""
    profile = f"cell-{name}"
    key_arn = client(profile, "kms").create_key(Description=f"{name}'s tables")["KeyMetadata"]["Arn"]
    plans = {
        tier: client(profile, "apigateway").create_usage_plan(name=tier)["id"]
        for tier in ("standard", "premium")
    }
    return Cell(
        name,
        None,
        f"https://{name}.execute-api.example.com/prod",
        10,
        profile=profile,
        table_kms_key_arn=key_arn,
        backup_tag="reservations",
        usage_plans=json.dumps(plans),
        usage_key_prefix=PREFIX,
    )


@pytest.fixture
def aws_cells(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cells]:
    """The operator's ~/.aws/config (a profile per account, each a role assumed from ``operator``)
    and the cells file naming them; the registries and the directory's table made as Terraform does."""
    lines = ["[profile operator]", "aws_access_key_id = operator", "aws_secret_access_key = operator", ""]
    for profile, account in ACCOUNTS.items():
        lines += [f"[profile {profile}]", f"role_arn = arn:aws:iam::{account}:role/reservations-operator"]
        lines += ["source_profile = operator", "region = us-east-1", ""]
    (tmp_path / "aws-config").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)  # every service, STS included, on loopback
    profile_session.cache_clear()
    cells = Cells(
        (cell_in_its_account("c1"), cell_in_its_account("c2")),
        poll_s=0.01,
        write_timeout_s=0.01,
        directory=DirectoryTable(profile="control"),
    )
    save_cells(tmp_path, cells)
    assert cells.directory is not None
    open_directory(cells.directory.settings()).ensure_table()
    for cell in cells.cells:
        open_registry(cell.settings()).ensure_table()  # type: ignore[attr-defined]
    yield cells
    profile_session.cache_clear()  # the next test's moto is reset: no session may outlive it


def tables(profile: str) -> set[str]:
    return set(client(profile, "dynamodb").list_tables()["TableNames"])


def usage_keys(cell: Cell) -> dict[str, list[str]]:
    """Tier -> the usage keys in its plan, in the cell's account."""
    apigateway = client(cell.profile or "", "apigateway")
    plans = json.loads(cell.usage_plans or "{}")
    return {
        t: sorted(k["value"] for k in apigateway.get_usage_plan_keys(usagePlanId=p)["items"])
        for t, p in plans.items()
    }


def tenants(data_dir: Path, *args: str) -> Result:
    result = CliRunner().invoke(app, ["tenants", *args, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return result


def test_each_cell_and_the_directory_are_written_in_their_own_account(
    aws_cells: Cells, tmp_path: Path
) -> None:
    c1, c2 = aws_cells.get("c1"), aws_cells.get("c2")
    made: list[tuple[str, str]] = []  # (profile, table) of every CreateTable the commands send
    for profile in ACCOUNTS:
        profile_session(profile).events.register(
            "provide-client-params.dynamodb.CreateTable",
            lambda params, _profile=profile, **_: made.append((_profile, params["TableName"])),
        )
    star = json.loads(tenants(tmp_path, "create", "star", "--cell", "c1", "--json").stdout)
    moon = json.loads(tenants(tmp_path, "create", "moon", "--tier", "premium", "--json").stdout)
    assert (star["cell"], moon["cell"]) == ("c1", "c2")  # moon: the least full
    registry = "reservations-customers"
    assert tables("cell-c1") == {"star-reservations", registry}
    assert tables("cell-c2") == {"moon-reservations", registry}
    assert tables("control") == {"reservations-directory"}
    assert usage_keys(c1) == {"standard": [f"{PREFIX}star"], "premium": []}
    assert usage_keys(c2) == {"standard": [], "premium": [f"{PREFIX}moon"]}
    described = client("cell-c1", "dynamodb").describe_table(TableName="star-reservations")["Table"]
    assert described["SSEDescription"]["KMSMasterKeyArn"] == c1.table_kms_key_arn
    # The process's own credentials (another account) were never used for any of it.
    assert boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == []
    assert aws_cells.directory is not None
    directory = open_directory(aws_cells.directory.settings())
    assert sorted(directory.placements(), key=lambda p: p.customer) == [
        Placement("moon", "c2"),
        Placement("star", "c1"),
    ]

    store = open_store(c1.settings())
    store.add("star-reservations", new(room=101), created_at=now_utc())
    before = store.list("star-reservations", ListQuery())
    moved = tenants(tmp_path, "move", "star", "--to", "c2")
    assert "Moved customer 'star' from cell c1 to c2: " in moved.stdout

    assert directory.placement("star") == Placement("star", "c2")
    assert tables("cell-c2") == {"star-reservations", "moon-reservations", registry}
    assert open_store(c2.settings()).list("star-reservations", ListQuery()) == before
    # Made in c2 as onboarding makes a table there: c2's key, its recovery and protection.
    described = client("cell-c2", "dynamodb").describe_table(TableName="star-reservations")["Table"]
    assert described["SSEDescription"]["KMSMasterKeyArn"] == c2.table_kms_key_arn
    assert described["DeletionProtectionEnabled"] is True
    # Its usage key is in c2's plan (API Gateway there refuses a key no plan holds), its key checks there.
    assert usage_keys(c2) == {"standard": [f"{PREFIX}star"], "premium": [f"{PREFIX}moon"]}
    assert authorize(open_registry(c2.settings()), "star", star["api_key"]).name == "star"
    # And c1 keeps nothing of it but the final backup a delete takes.
    assert tables("cell-c1") == {registry}
    assert usage_keys(c1) == {"standard": [], "premium": []}
    assert open_registry(c1.settings()).get_customer("star") is None
    backups = client("cell-c1", "dynamodb").list_backups()["BackupSummaries"]
    assert [b["TableName"] for b in backups] == ["star-reservations"]
    # Only customers' tables are made, each in its cell; the registries and the directory are
    # Terraform's in AWS (an operator's role need not, and should not, create them).
    assert made == [
        ("cell-c1", "star-reservations"),
        ("cell-c2", "moon-reservations"),
        ("cell-c2", "star-reservations"),
    ]


def test_tiers_and_deletes_act_in_the_customers_own_account(aws_cells: Cells, tmp_path: Path) -> None:
    c1, c2 = aws_cells.get("c1"), aws_cells.get("c2")
    tenants(tmp_path, "create", "star", "--cell", "c2")
    tenants(tmp_path, "set-tier", "star", "premium")
    assert usage_keys(c2) == {"standard": [], "premium": [f"{PREFIX}star"]}
    assert usage_keys(c1) == {"standard": [], "premium": []}
    tenants(tmp_path, "delete", "star", "--yes")
    assert tables("cell-c2") == {"reservations-customers"}
    assert usage_keys(c2) == {"standard": [], "premium": []}
    assert [b["TableName"] for b in client("cell-c2", "dynamodb").list_backups()["BackupSummaries"]] == [
        "star-reservations"
    ]
    assert aws_cells.directory is not None
    assert open_directory(aws_cells.directory.settings()).placements() == []


def documented_actions(kind: str) -> set[str]:
    """The IAM actions docs/cells.md lists for ``kind``'s profile ("cell" or "control")."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "cells.md").read_text(encoding="utf-8")
    block = re.search(rf"What a {kind} profile is called for.*?```text\n(.*?)```", text, re.S)
    assert block, f"docs/cells.md lists no actions for the {kind} profile"
    return set(block.group(1).split())


def test_each_profile_is_called_for_exactly_what_the_docs_list(aws_cells: Cells, tmp_path: Path) -> None:
    """Every path an operator runs: create with a tier and a host, a move (both sides), set-tier, a
    restore from a backup, a host removed and a delete. The calls each account's profile signs, as IAM names them, are the docs' lists: what
    the role behind a cell's profile, or the control account's, must allow, no more and no less."""
    called: dict[str, set[str]] = {"cell": set(), "control": set()}
    for profile in ACCOUNTS:
        kind = "control" if profile == "control" else "cell"

        def record(model: Any, params: dict[str, Any], _kind: str = kind, **_: Any) -> None:
            prefix = model.service_model.signing_name
            called[_kind].update(iam_actions(prefix, model.name, params, model.http.get("method", ""))[0])

        profile_session(profile).events.register("before-parameter-build", record)
    tenants(tmp_path, "create", "star", "--cell", "c1", "--tier", "premium", "--host", "book.star.example")
    open_store(aws_cells.get("c1").settings()).add("star-reservations", new(room=101), created_at=now_utc())
    tenants(tmp_path, "move", "star", "--to", "c2")
    tenants(tmp_path, "set-tier", "star", "standard")
    backup = client("cell-c2", "dynamodb").create_backup(
        TableName="star-reservations", BackupName="before-restore"
    )
    arn = backup["BackupDetails"]["BackupArn"]
    tenants(tmp_path, "restore", "star", "--from-backup", arn, "--interval", "0")
    tenants(tmp_path, "hosts", "remove", "book.star.example")
    tenants(tmp_path, "delete", "star", "--yes")
    assert called["cell"] == documented_actions("cell"), sorted(called["cell"] ^ documented_actions("cell"))
    assert called["control"] == documented_actions("control"), sorted(called["control"])


def test_a_move_into_a_cell_without_the_customers_tier_is_refused_before_anything(
    aws_cells: Cells, tmp_path: Path
) -> None:
    """Found at the register step, the customer would stay marked, its writes refused."""
    tenants(tmp_path, "create", "star", "--cell", "c1", "--tier", "premium")
    c2 = aws_cells.get("c2")
    standard_only = json.dumps({"standard": json.loads(c2.usage_plans or "{}")["standard"]})
    save_cells(
        tmp_path, replace(aws_cells, cells=(aws_cells.get("c1"), replace(c2, usage_plans=standard_only)))
    )
    refused = CliRunner().invoke(app, ["tenants", "move", "star", "--to", "c2", "--data-dir", str(tmp_path)])
    assert refused.exit_code != 0
    assert "cell 'c2' has no usage plan for 'star''s tier 'premium' (its tiers: standard)" in refused.stderr
    assert aws_cells.directory is not None
    assert open_directory(aws_cells.directory.settings()).placement("star") == Placement("star", "c1")
    assert tables("cell-c2") == {"reservations-customers"}
