"""Fake AWS: credentials that reach no account, and moto's server over HTTP on loopback."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.server import free_port

# What every test runs under (the autouse fixture in tests/conftest.py) and what a stack started
# outside pytest is given: no request may reach a real account or read the developer's profile.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
# Whose presence would send a request elsewhere than the test chose.
UNSET_AWS_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL")


@contextmanager
def running_moto() -> Iterator[str]:
    """moto's server on a free loopback port; yields its endpoint URL.

    Real HTTP, so botocore's wire format (serialisation, retries, errors) is exercised.  Requests are
    served one at a time: moto's transactions are not atomic under concurrency (see serial_moto).
    """
    from tests.serial_moto import SerialMotoServer

    port = free_port()
    server = SerialMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def reset_moto(endpoint: str) -> None:
    """Empties moto's server: every table, role and bucket a previous test made is gone."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
