"""The gateway's settings for each store kind a suite runs against."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest

from reservations.settings import Settings

# The role the API functions assume per customer (moto's STS answers for any role): with it set, the
# DynamoDB store runs every request under tenant-scoped credentials, as in AWS.
TENANT_ROLE_ARN = "arn:aws:iam::123456789012:role/reservations-list-tenant"

STORE_KINDS = ["sqlite"] + (["dynamodb"] if importlib.util.find_spec("reservations.stores.dynamodb") else [])
# DynamoDB behind a whole gateway is moto's server answering one request at a time: the fast lane
# runs each API suite on SQLite, and the stores' contract (tests/stores) on both stores.
GATEWAY_KINDS = [
    pytest.param(kind, marks=pytest.mark.slow) if kind == "dynamodb" else kind for kind in STORE_KINDS
]

# DynamoDB behind a whole gateway is moto's server answering one request at a time: the fast lane
# runs each API suite on SQLite, and the stores' contract (tests/stores) on both stores.
GATEWAY_KINDS = [
    pytest.param(kind, marks=pytest.mark.slow) if kind == "dynamodb" else kind for kind in STORE_KINDS
]
# ``serve --cells 2`` (a moto server per cell behind one URL, issue #24), for the suites that prove the
# acceptance through the one URL: ``@through_cells`` on a module adds it to the ``gateway`` fixture's kinds.
through_cells = pytest.mark.parametrize(
    "gateway", [*GATEWAY_KINDS, pytest.param("cells", marks=pytest.mark.slow)], indirect=True
)


def settings_for(
    kind: str,
    tmp: Path,
    moto_endpoint: str | None,
    *,
    tenant_role_arn: str | None = TENANT_ROLE_ARN,
    prefix: str = "t",
) -> Settings:
    """SQLite files under ``tmp``, or DynamoDB on moto's server with tables of a prefix of their own.

    The prefix keeps tests that share one moto server from seeing each other's tables.
    """
    if kind == "dynamodb":
        if moto_endpoint is None:
            raise ValueError("the dynamodb store needs moto's endpoint")
        return Settings(
            store="dynamodb",
            dynamodb_endpoint=moto_endpoint,
            table_prefix=f"{prefix}{uuid.uuid4().hex[:8]}_",
            region="us-east-1",
            tenant_role_arn=tenant_role_arn,
        )
    return Settings(store="sqlite", data_dir=tmp / "data")


def store_settings(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Settings:
    """``settings_for`` inside a test, starting moto's server (the session fixture) only for DynamoDB."""
    endpoint = request.getfixturevalue("moto_server") if kind == "dynamodb" else None
    return settings_for(kind, tmp, endpoint)
