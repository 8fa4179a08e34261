"""A cell's edge reads the directory in the control account through that account's read role
(issue #24, in AWS): AssumeRole on moto's STS, the directory on moto's DynamoDB, both over HTTP.

Credentials are re-assumed before they expire; when that fails (STS unreachable, the role's trust
withdrawn) the poll fails as an unreachable directory does, and nginx's maps are left as they were."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reservations.cells.config import open_directory
from reservations.cells.edge_sync import DirectorySync
from reservations.domain.errors import UnavailableError
from reservations.edge.render import CELLS_NAME, TENANTS_NAME
from reservations.settings import Settings
from reservations.stores.directory import Directory
from reservations.stores.dynamodb_assumed import assumed_role_credentials
from reservations.stores.dynamodb_directory import DynamoDBDirectory
from reservations.stores.dynamodb_tenants import make_signing_client, make_sts_client
from tests.serial_moto import SerialMotoServer
from tests.support.server import free_port

# The control account: moto's default, where the admin (the process's own keys) made the table.
ROLE = "arn:aws:iam::123456789012:role/control-directory-read"
TABLE = "sync_reservations-directory"


@pytest.fixture
def sts_server() -> Iterator[tuple[SerialMotoServer, str]]:
    """moto's server answering STS alone, so STS can fail while the directory's DynamoDB answers."""
    port = free_port()
    server = SerialMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def admin(moto_endpoint: str) -> Iterator[Directory]:
    """The control account's own view of the directory: star in c1, one custom domain."""
    directory = open_directory(
        Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, table_prefix="sync_")
    )
    directory.ensure_table()
    directory.place("star", "c1")
    directory.add_host("book.star-hotel.example", "star")
    yield directory
    directory.close()


def test_the_edge_reads_the_directory_as_the_read_role_and_keeps_its_map_when_assuming_fails(
    moto_endpoint: str, sts_server: tuple[SerialMotoServer, str], admin: Directory, tmp_path: Path
) -> None:
    server, sts_endpoint = sts_server
    settings = Settings(store="dynamodb", dynamodb_endpoint=moto_endpoint, sts_endpoint=sts_endpoint)
    sts = make_sts_client(settings)
    assumed: list[dict[str, Any]] = []
    sts.meta.events.register(
        "before-parameter-build.sts.AssumeRole", lambda params, **_: assumed.append(params)
    )
    later = timedelta()  # how far the credentials' clock has moved on
    credentials = assumed_role_credentials(sts, ROLE, "reservations-edge", lambda: datetime.now(UTC) + later)
    directory = DynamoDBDirectory(make_signing_client(settings, credentials), TABLE)
    sync = DirectorySync(directory, tmp_path, tmp_path / "nginx.pid", ("c1", "c2"))

    assert sync.poll()
    assert "star cell_c1;" in (tmp_path / CELLS_NAME).read_text()
    assert "book.star-hotel.example star;" in (tmp_path / TENANTS_NAME).read_text()
    assert [call["RoleArn"] for call in assumed] == [ROLE]  # assumed once, on the first read
    assert credentials.get_frozen_credentials().access_key != "testing"  # the role's, not the process's
    admin.place("moon", "c2")
    assert sync.poll()
    assert len(assumed) == 1  # still valid: not assumed again

    # 55 minutes on, the hour's credentials must be renewed before any call; STS is gone.
    admin.place("sun", "c2")
    later = timedelta(minutes=55)
    server.stop()
    maps = {name: (tmp_path / name).read_text() for name in (CELLS_NAME, TENANTS_NAME)}
    with pytest.raises(UnavailableError, match="cannot assume"):
        sync.poll()
    assert {name: (tmp_path / name).read_text() for name in maps} == maps  # the last map keeps serving
    assert "moon cell_c2;" in maps[CELLS_NAME]
    assert "sun" not in maps[CELLS_NAME]
    directory.close()
    sts.close()


def test_with_a_role_configured_the_directory_is_only_read_through_it(
    moto_endpoint: str, admin: Directory, tmp_path: Path
) -> None:
    """``RESERVATIONS_DIRECTORY_ROLE_ARN`` (``open_directory``): no STS to assume it at, no read, even
    though the process's own credentials could read the table."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = Settings.from_env(
        {
            "RESERVATIONS_STORE": "dynamodb",
            "RESERVATIONS_DYNAMODB_ENDPOINT": moto_endpoint,
            "RESERVATIONS_TABLE_PREFIX": "sync_",
            "RESERVATIONS_STS_ENDPOINT": nowhere,
            "RESERVATIONS_DIRECTORY_ROLE_ARN": ROLE,
        }
    )
    directory = open_directory(settings)
    sync = DirectorySync(directory, tmp_path, tmp_path / "nginx.pid", ("c1",))
    with pytest.raises(UnavailableError, match=f"cannot assume {ROLE}"):
        sync.poll()
    assert not (tmp_path / CELLS_NAME).exists()
    directory.close()
