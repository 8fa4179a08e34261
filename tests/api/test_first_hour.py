"""The first hour of a newcomer with ``serve`` and ``tenants``: nothing lost, nothing clobbered, one-line errors.

Each test runs the real command as its own process, the way ``make run`` does, with its own
``XDG_CONFIG_HOME`` so the profile file is the one the clients would read.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from reservations import catalogue
from reservations.settings import Settings
from tests.support import processes
from tests.support.server import free_port, start_gateway, start_serve

SERVE = [sys.executable, "-m", "reservations", "serve", "--host", "127.0.0.1"]


def _profiles(config_home: Path) -> dict[str, dict[str, str]]:
    path = config_home / "reservations" / "config.toml"
    if not path.exists():
        return {}
    profiles: dict[str, dict[str, str]] = tomllib.loads(path.read_text())["profiles"]
    return profiles


def _key_in(text: str) -> str:
    return next(word for word in text.split() if word.startswith("rsv_"))


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    return {**env, "XDG_CONFIG_HOME": str(tmp / "config"), **extra}


@pytest.mark.slow
def test_a_start_on_a_busy_port_creates_nothing_so_the_next_start_shows_the_key(tmp_path: Path):
    # Another program (a real second process) holds the port.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys, time\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "print(s.getsockname()[1], flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        busy = holder.stdout.readline().strip()
        data = tmp_path / "data"
        failed = subprocess.run(
            [*SERVE, "--port", busy, "--data-dir", str(data)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert failed.returncode == 2
    assert "Address already in use" in failed.stderr
    assert "rsv_" not in failed.stdout + failed.stderr
    assert _profiles(tmp_path / "config") == {}

    # The retry on a free port is a first start: the key is shown and the profile written.
    second = start_gateway(Settings(store="sqlite", data_dir=data), tmp_path)
    try:
        key = _key_in(second.log_path.read_text())
        assert _profiles(tmp_path / "config")["local"]["api_key"] == key
        answer = httpx.get(f"{second.url}/reservations", headers={"X-Customer": "demo", "X-Api-Key": key})
        assert answer.status_code == 200
    finally:
        second.stop()


@pytest.mark.slow
def test_a_restart_on_another_port_moves_the_profile_along(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    first = start_gateway(settings, tmp_path)
    key = _key_in(first.log_path.read_text())
    first.stop()
    second = start_gateway(settings, tmp_path)
    try:
        local = _profiles(tmp_path / "config")["local"]
        assert local["url"] == second.url
        assert local["api_key"] == key
        assert f"Client profile 'local' now points at {second.url}" in second.log_path.read_text()
    finally:
        second.stop()


@pytest.mark.slow
def test_a_second_serve_on_another_port_leaves_the_profile_with_the_first_while_it_serves(tmp_path: Path):
    """The README's advice for a busy port, taken while the first server still answers."""
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    first = start_gateway(settings, tmp_path)
    try:
        second = start_gateway(settings, tmp_path)
        second.stop()
        assert _profiles(tmp_path / "config")["local"]["url"] == first.url
        output = second.log_path.read_text()
        assert f"Client profile 'local' still points at {first.url}, which is serving;" in output
        assert f"--url {second.url}" in output
        listed = subprocess.run(
            [sys.executable, "-m", "reservations", "list"],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr  # the profile still reaches the first server
    finally:
        first.stop()


@pytest.mark.slow
def test_another_data_dir_never_clobbers_the_profile_of_the_first(tmp_path: Path):
    first = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "one"), tmp_path)
    first_key = _key_in(first.log_path.read_text())
    first.stop()
    other = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "two"), tmp_path)
    try:
        output = other.log_path.read_text()
        other_key = _key_in(output)
        profiles = _profiles(tmp_path / "config")
        port = other.url.rsplit(":", 1)[1]
        assert profiles["local"]["api_key"] == first_key  # kept
        assert profiles[f"local-{port}"]["api_key"] == other_key  # the new key is not lost either
        assert "Profile 'local' belongs to another store and was left as it is." in output
        assert f"--profile local-{port}" in output
    finally:
        other.stop()


@pytest.mark.slow
def test_a_store_without_a_profile_says_how_to_get_a_key_back(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    first = start_gateway(settings, tmp_path)
    first.stop()
    (tmp_path / "config" / "reservations" / "config.toml").unlink()  # the key is lost
    second = start_gateway(settings, tmp_path)
    try:
        output = second.log_path.read_text()
    finally:
        second.stop()
    assert f"`reservations tenants rotate-key demo --data-dir {tmp_path / 'data'}`" in output
    assert "`reservations configure`" in output


NO_CREDENTIALS = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _without_credentials(tmp: Path) -> dict[str, str]:
    env = _env(tmp, **NO_CREDENTIALS)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)
    return env


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["tenants", "list"],
        ["tenants", "create", "star"],
        ["serve", "--host", "127.0.0.1", "--port", "PORT"],
    ],
    ids=["tenants-list", "tenants-create", "serve"],
)
def test_dynamodb_without_credentials_is_one_line_with_the_remedy(tmp_path: Path, command: list[str]):
    with socket.socket() as unused:  # an endpoint that is never reached: signing fails first
        unused.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{unused.getsockname()[1]}"
        command = [str(free_port()) if word == "PORT" else word for word in command]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "reservations",
                *command,
                "--store",
                "dynamodb",
                "--dynamodb-endpoint",
                endpoint,
            ],
            env=_without_credentials(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode in (1, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "AWS_ACCESS_KEY_ID" in lines[0]
    assert "any values will do" in lines[0]


@pytest.mark.slow
def test_cluster_takes_the_region_from_aws_region(tmp_path: Path, moto_endpoint: str):
    env = _env(tmp_path, AWS_ENDPOINT_URL=moto_endpoint, AWS_REGION="eu-west-1")
    env.pop("AWS_DEFAULT_REGION", None)
    result = subprocess.run(
        [sys.executable, "-m", "reservations", "cluster", "status", "--cluster", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "no AWS region" not in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1), result.stderr


@pytest.mark.slow
def test_every_405_says_which_methods_are_allowed(tmp_path: Path):
    running = start_gateway(Settings(store="sqlite", data_dir=tmp_path / "data"), tmp_path)
    try:
        methods: dict[str, set[str]] = {}
        for route, _ in catalogue.routes():
            methods.setdefault(route.path, set()).add(route.method)
        answers = {
            ("TRACE", "/healthz"): "GET, HEAD",
            ("POST", "/openapi.json"): "GET, HEAD",
            ("TRACE", "/reservations"): ", ".join(sorted(methods["/reservations"])),
            ("PUT", "/reservations/1"): ", ".join(sorted(methods["/reservations/{id}"])),
            ("GET", "/add-res"): ", ".join(sorted(methods["/add-res"])),
        }
        for (method, path), allowed in answers.items():
            response = httpx.request(method, f"{running.url}{path}")
            assert response.status_code == 405, (method, path)
            assert response.headers.get("Allow") == allowed, (method, path)
            assert response.json()["error"]["code"] == "method_not_allowed"
    finally:
        running.stop()


@pytest.mark.slow
def test_tenants_on_a_mistyped_data_dir_say_so_and_create_nothing(tmp_path: Path):
    typo = tmp_path / "tpyo"
    for command in (["tenants", "list"], ["tenants", "rotate-key", "demo"]):
        result = subprocess.run(
            [sys.executable, "-m", "reservations", *command, "--data-dir", str(typo)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"reservations tenants: no data in {typo} (`reservations serve` or "
            "`reservations tenants create` makes it); check --data-dir"
        ]
        assert not typo.exists()


def test_serve_refuses_a_web_dir_that_is_not_there(tmp_path: Path):
    result = subprocess.run(
        [
            *SERVE,
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path / "data"),
            "--web-dir",
            str(tmp_path / "nope"),
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"reservations serve: --web-dir {tmp_path / 'nope'} is not a folder"
    ]
    assert not (tmp_path / "data").exists()


@pytest.mark.slow
def test_serve_at_its_default_log_level_logs_no_line_per_request(tmp_path: Path):
    env = _env(tmp_path)
    env.pop("POWERTOOLS_LOG_LEVEL", None)
    log = tmp_path / "serve.log"
    process, url = start_serve(env, log, "--data-dir", str(tmp_path / "data"))
    try:
        key = _key_in(log.read_text())
        for _ in range(3):
            assert (
                httpx.get(f"{url}/reservations", headers={"X-Customer": "demo", "X-Api-Key": key}).status_code
                == 200
            )
        assert httpx.get(f"{url}/reservations", headers={"X-Customer": "demo"}).status_code == 401
    finally:
        processes.stop(process)
    assert '"level":"INFO"' not in log.read_text()


@pytest.mark.slow
def test_a_profile_from_before_store_markers_is_adopted_not_nagged_about(tmp_path: Path):
    settings = Settings(store="sqlite", data_dir=tmp_path / "data")
    port = free_port()
    first = start_gateway(settings, tmp_path, port=port)
    first.stop()
    path = tmp_path / "config" / "reservations" / "config.toml"
    # What an earlier serve wrote: no "store" line.
    path.write_text("\n".join(line for line in path.read_text().splitlines() if not line.startswith("store")))
    second = start_gateway(settings, tmp_path, port=port)
    try:
        assert "Lost the demo key?" not in second.log_path.read_text()
        assert _profiles(tmp_path / "config")["local"]["store"] == settings.location
    finally:
        second.stop()
