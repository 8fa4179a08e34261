"""Which cells there are and where the directory is: ``cells.json`` in the data folder.

``reservations serve --cells N`` writes it when its cells are up and removes it when it stops; the
``tenants`` commands read it, so on a machine running cells they place, move and remove customers
through the directory rather than in one store.  For cells in AWS the operator writes it: each
cell's Region and the named AWS profile that reaches its account, and ``directory``, the control
account's table and its profile (docs/cells.md, "Operating cells in AWS").
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from reservations.domain.errors import NotFoundError, ValidationError
from reservations.settings import Settings
from reservations.stores.directory import Directory

CELLS_FILE = "cells.json"
# A cell's customers, well under one account's quotas (docs/scaling.md: 10,000 tables and 10,000
# API keys per account and Region); the local stack's cells hold far fewer.
DEFAULT_CAPACITY = 2500


def _account(endpoint: str | None, table_prefix: str, region: str, profile: str | None) -> Settings:
    """DynamoDB in one account: a cell's, or the control account's for the directory."""
    return Settings(
        store="dynamodb",
        dynamodb_endpoint=endpoint,
        table_prefix=table_prefix,
        region=region,
        aws_profile=profile,
    )


@dataclass(frozen=True)
class Cell:
    name: str
    dynamodb_endpoint: str | None  # None: AWS's own endpoint of the cell's account
    api_url: str  # where the edge sends the cell's customers
    capacity: int = DEFAULT_CAPACITY
    table_prefix: str = ""
    region: str = "us-east-1"
    profile: str | None = None  # the AWS profile that reaches the cell's account; None: the process's
    # What onboarding in the cell's account gives a customer (its root's terraform outputs
    # table_kms_key_arn, backup_tag, usage_plan_ids as JSON, usage_key_prefix); None: a local cell's.
    table_kms_key_arn: str | None = None
    backup_tag: str | None = None
    usage_plans: str | None = None
    usage_key_prefix: str = ""

    def settings(self) -> Settings:
        return replace(
            _account(self.dynamodb_endpoint, self.table_prefix, self.region, self.profile),
            table_kms_key_arn=self.table_kms_key_arn,
            backup_tag=self.backup_tag,
            usage_plans=self.usage_plans,
            usage_key_prefix=self.usage_key_prefix,
        )


@dataclass(frozen=True)
class DirectoryTable:
    """The directory as the control account's DynamoDB table (``terraform/control``), written
    through ``profile``: one whose role is that root's ``directory_write_role_arn``."""

    region: str = "us-east-1"
    table_prefix: str = ""
    profile: str | None = None
    dynamodb_endpoint: str | None = None  # None: AWS's own endpoint

    def settings(self) -> Settings:
        return _account(self.dynamodb_endpoint, self.table_prefix, self.region, self.profile)


@dataclass(frozen=True)
class Cells:
    cells: tuple[Cell, ...]
    # How often the edge reads the directory's version, and how long a write forwarded to a cell may
    # take: a move waits for both before it copies (``moving``).
    poll_s: float = 0.2
    write_timeout_s: float = 5.0
    # None: the local stack's SQLite file in the data folder (``serve --cells``).
    directory: DirectoryTable | None = None

    def directory_settings(self, data_dir: Path) -> Settings:
        """Where the ``tenants`` commands open the directory."""
        if self.directory is None:
            return Settings(store="sqlite", data_dir=data_dir)
        return self.directory.settings()

    def get(self, name: str) -> Cell:
        for cell in self.cells:
            if cell.name == name:
                return cell
        known = ", ".join(cell.name for cell in self.cells)
        raise ValidationError(f"no cell named {name!r} (cells: {known})", field="cell")

    @property
    def settle_s(self) -> float:
        """After a customer is marked as moving: every edge has seen it, every write let through
        before has been answered."""
        return 2 * self.poll_s + self.write_timeout_s


def sign_for_loopback(cells: Cells) -> None:
    """Stand-in credentials when every cell is a local endpoint (moto accepts any; botocore signs
    every request all the same): the local stack's commands then need no AWS setup."""
    if all((cell.dynamodb_endpoint or "").startswith("http://127.0.0.1:") for cell in cells.cells):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "cells-local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "cells-local")


def cells_file(data_dir: Path) -> Path:
    return Path(data_dir) / CELLS_FILE


def save_cells(data_dir: Path, cells: Cells) -> None:
    body = {**asdict(cells), "cells": [asdict(cell) for cell in cells.cells]}
    path = cells_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def load_cells(data_dir: Path) -> Cells | None:
    """The cells of the stack running on ``data_dir``; None when none runs there."""
    path = cells_file(data_dir)
    try:
        body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        cells = tuple(Cell(**cell) for cell in body.pop("cells"))
        directory = body.pop("directory", None)
        return replace(Cells(cells, directory=DirectoryTable(**directory) if directory else None), **body)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError(f"{path} is not a cells file: {exc}", field="cells") from None


def open_directory(settings: Settings, clock: Callable[[], datetime] | None = None) -> Directory:
    """The directory beside the cells: a SQLite file in the data folder, or a DynamoDB table, read
    under ``settings.directory_role_arn`` when it is in another account (``clock``: when the role's
    credentials count as expiring, botocore's own clock by default)."""
    if settings.store == "dynamodb":
        from reservations.stores.dynamodb_client import make_client
        from reservations.stores.dynamodb_directory import DynamoDBDirectory

        table = f"{settings.table_prefix}reservations-directory"
        if settings.directory_role_arn:
            from reservations.stores.dynamodb_assumed import make_assumed_client

            role = settings.directory_role_arn
            return DynamoDBDirectory(make_assumed_client(settings, role, "reservations-edge", clock), table)
        return DynamoDBDirectory(make_client(settings), table)
    from reservations.stores.sqlite_directory import SqliteDirectory

    return SqliteDirectory(settings.data_dir)


def require_cells(data_dir: Path) -> Cells:
    cells = load_cells(data_dir)
    if cells is None:
        raise NotFoundError(
            f"no cells run on {data_dir}: start `reservations serve --cells 2`", field="cells"
        )
    sign_for_loopback(cells)
    return cells
