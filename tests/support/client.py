"""The clients' side of a local gateway: the environment a client process runs in, the gateway the
client suites share, and running a command in this process or as its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from reservations.client.config import Profile
from reservations.domain.parsing import today_utc

CLI = [sys.executable, "-c", "from reservations.cli import main; main()"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def client_env(config_home: Path, **extra: str) -> dict[str, str]:
    """The environment of a client process: our sources first, no stray RESERVATIONS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    env["PYTHONPATH"] = os.pathsep.join([SRC, *filter(None, [env.get("PYTHONPATH")])])
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


@dataclass
class Gateway:
    url: str
    data_dir: Path
    config_home: Path
    demo: Profile  # written by ``serve`` on first start
    log: Path
    tenants: dict[str, Profile] = field(default_factory=dict)  # made by ``tenant``

    @property
    def config_file(self) -> Path:
        return self.config_home / "reservations" / "config.toml"

    def env(self, **extra: str) -> dict[str, str]:
        return client_env(self.config_home, **extra)

    def tenant(self, name: str) -> Profile:
        """The customer ``name``, made with the real ``tenants create`` the first time it is asked for."""
        if name not in self.tenants:
            self.tenants[name] = self.create_tenant(name)
        return self.tenants[name]

    def create_tenant(self, name: str) -> Profile:
        done = subprocess.run(
            [*CLI, "tenants", "create", name, "--json", "--data-dir", str(self.data_dir)],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        created = json.loads(done.stdout)
        return Profile(url=self.url, customer=created["customer"], api_key=created["api_key"])


def days(n: int) -> date:
    """A check-in ``n`` days from today (UTC, the server's clock)."""
    return today_utc() + timedelta(days=n)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(gateway: Gateway, *args: str, stdin: str = "", **env: str) -> Ran:
    """Runs a command in this process (Typer's runner: real HTTP, no interpreter start-up per call)."""
    from typer.testing import CliRunner

    from reservations.cli import app

    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RESERVATIONS_")}
    environment |= {"XDG_CONFIG_HOME": str(gateway.config_home), "COLUMNS": "120", **env}
    result = CliRunner().invoke(app, list(args), input=stdin, env=environment, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def run_process(
    gateway: Gateway, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Runs a command as its own process, as a shell script would."""
    return subprocess.run(
        [*CLI, *args],
        env=gateway.env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
