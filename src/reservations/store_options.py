"""The options that name the store a command opens (``--data-dir``, ``--store``,
``--dynamodb-endpoint``): declared once for ``serve``, the tenants, channels and edge commands, so
each spells and documents them the same way.  Typer types only: a declaration, no I/O."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class StoreChoice(StrEnum):
    sqlite = "sqlite"
    dynamodb = "dynamodb"


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Where the SQLite store keeps its files.", envvar="RESERVATIONS_DATA_DIR"
    ),
]
StoreOption = Annotated[
    StoreChoice | None, typer.Option("--store", help="sqlite (embedded, default) or dynamodb.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--dynamodb-endpoint", help="DynamoDB endpoint URL (DynamoDB Local, moto, or AWS when omitted)."
    ),
]
