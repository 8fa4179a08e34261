"""Fixtures shared by every suite: AWS credentials that reach no account, moto's server over HTTP, a
running gateway per store kind and one headless Chromium.  The code behind them is in tests/support."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.aws_calls import _declared_aws_calls_only  # noqa: F401  (autouse: functions make declared AWS calls only)
from tests.support.aws import FAKE_AWS_ENV, UNSET_AWS_ENV, reset_moto, running_moto
from tests.support.server import Gateway, start_gateway
from tests.support.settings import GATEWAY_KINDS, store_settings
from tests.support.terraform import cli_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection reads the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium or starts nginx is slow: ``make check`` leaves it to ``make test``."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("nginx"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real AWS account: fake credentials, a fixed region, no shared profile."""
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in UNSET_AWS_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session", autouse=True)
def _terraform_providers_from_a_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``terraform init`` in a test finds the AWS provider as ``make terraform-check`` does."""
    config = cli_config(tmp_path_factory.mktemp("terraform"))
    before = os.environ.get("TF_CLI_CONFIG_FILE")
    if config:
        os.environ["TF_CLI_CONFIG_FILE"] = config
    yield
    if before is None:
        os.environ.pop("TF_CLI_CONFIG_FILE", None)
    else:
        os.environ["TF_CLI_CONFIG_FILE"] = before


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto's server on a free loopback port, one per test process; yields its endpoint URL."""
    with running_moto() as endpoint:
        yield endpoint


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """moto's endpoint, reset to empty before the test."""
    reset_moto(moto_server)
    return moto_server


@pytest.fixture(scope="module", params=GATEWAY_KINDS)
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A running gateway per store kind with customers ``star`` and ``moon``, shared by a test module."""
    tmp = tmp_path_factory.mktemp(f"gateway-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        settings = store_settings(request.param, tmp, request)
        running = start_gateway(settings, tmp)
        try:
            running.create_customer("star")
            running.create_customer("moon")
            yield running
        finally:
            running.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium per test process, shared by every suite that drives a page.

    Playwright's sync API keeps an event loop running in this thread while it is open, so there
    can be only one, and code under test that needs asyncio goes through ``run_async``.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
