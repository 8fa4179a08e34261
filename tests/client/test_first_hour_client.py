"""A newcomer's stray whitespace in a key or customer, and a mistyped key in the menu.

Run as a user runs them: each command in a real pseudo-terminal (pexpect), against the session's
real ``reservations serve``.
"""

from __future__ import annotations

import http.server
import threading
import tomllib

import pexpect
import pytest

from reservations.client import ReservationsClient
from tests.client.test_menu import Terminal
from tests.support.client import CLI, Gateway, run_process
from tests.support.server import free_port


def _in_terminal(gateway: Gateway, *args: str, **env: str) -> tuple[int, str]:
    child = pexpect.spawn(
        CLI[0], [*CLI[1:], *args], env=gateway.env(**env), encoding="utf-8", timeout=30, dimensions=(50, 200)
    )
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus), str(child.before)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "env"),
    [
        (["--api-key", " {key}"], {}),
        (["--api-key", "{key}\n"], {}),
        (["--customer", "demo "], {}),
        ([], {"RESERVATIONS_API_KEY": "{key}\n"}),
        ([], {"RESERVATIONS_CUSTOMER": " demo\n"}),
    ],
    ids=["flag-leading-space", "flag-newline", "customer-space", "env-newline", "env-customer"],
)
def test_stray_whitespace_around_a_key_or_customer_is_trimmed(
    gateway: Gateway, demo: ReservationsClient, flags: list[str], env: dict[str, str]
):
    key = gateway.demo.api_key
    args = [f.format(key=key) for f in flags]
    environment = {k: v.format(key=key) for k, v in env.items()}
    status, screen = _in_terminal(gateway, "list", *args, **environment)
    assert status == 0, screen
    assert "No reservations yet." in screen


def test_a_control_character_inside_a_key_is_a_usage_error_not_a_network_error(gateway: Gateway):
    status, screen = _in_terminal(gateway, "list", "--api-key", "rsv_ab\x1bcd")
    assert status == 2, screen
    assert "cannot reach" not in screen
    assert "API key contains '\\x1b'" in screen
    assert len(screen.strip().splitlines()) == 1


def test_configure_saves_the_trimmed_key(gateway: Gateway, demo: ReservationsClient):
    key = gateway.demo.api_key
    status, screen = _in_terminal(
        gateway,
        "configure",
        "--profile",
        "trimmed",
        "--url",
        f" {gateway.url} ",
        "--customer",
        "demo ",
        "--api-key",
        f" {key}\n",
    )
    assert status == 0, screen
    assert f"Connected to {gateway.url} as demo." in screen
    saved = tomllib.loads(gateway.config_file.read_text())["profiles"]["trimmed"]
    assert (saved["url"], saved["customer"], saved["api_key"]) == (gateway.url, "demo", key)


def test_configure_refuses_a_key_a_header_cannot_carry(gateway: Gateway):
    status, screen = _in_terminal(
        gateway,
        "configure",
        "--profile",
        "broken",
        "--url",
        gateway.url,
        "--customer",
        "demo",
        "--api-key",
        "a\x07b",
    )
    assert status == 2, screen
    assert "broken" not in tomllib.loads(gateway.config_file.read_text())["profiles"]


def test_the_menu_does_not_switch_to_a_key_the_server_refuses(gateway: Gateway, demo: ReservationsClient):
    screen = Terminal(gateway)
    try:
        screen.choose("4")
        screen.answer("Profile number, or n: ", "n")
        screen.answer("Server URL", "")
        screen.answer("Customer: ", "demo")
        screen.answer("API key: ", "rsv_not-the-key")
        screen.see("Not switched: ")
        screen.choose("5")
        assert screen.exit_status() == 0
    finally:
        screen.close()
    assert "Now customer" not in "".join(screen.transcript)


@pytest.mark.parametrize("nights", ["-2", "31", "0"])
def test_nights_out_of_range_name_the_range_in_the_cli(gateway: Gateway, nights: str):
    status, screen = _in_terminal(gateway, "add", "--guest", "Ann", "--room", "5", "--nights", nights)
    assert status == 2, screen
    assert f"--nights must be a whole number between 1 and 30, not '{nights}'" in screen


def test_nights_out_of_range_name_the_range_in_the_menu(gateway: Gateway, demo: ReservationsClient):
    screen = Terminal(gateway)
    try:
        screen.choose("1")
        screen.answer("Guest name: ", "Ann")
        screen.answer("Room number: ", "5")
        screen.answer("Nights: ", "-2")
        screen.see("The number of nights must be between 1 and 30")
    finally:
        screen.close()


def test_debug_before_the_command_shows_the_traceback(gateway: Gateway):
    port = free_port()
    status, screen = _in_terminal(
        gateway,
        "--debug",
        "list",
        "--url",
        f"http://127.0.0.1:{port}",
        "--customer",
        "demo",
        "--api-key",
        "k",
    )
    assert status == 3, screen
    assert "Traceback" in screen


def test_a_missing_named_profile_points_at_configure_not_serve(gateway: Gateway):
    status, screen = _in_terminal(gateway, "list", "--profile", "prod")
    assert status == 2, screen
    assert "run `reservations configure --profile prod`" in screen
    assert "serve" not in screen


def test_a_bad_gateway_in_front_of_the_api_is_unreachable_exit_3(gateway: Gateway):
    """nginx answers 502 when the API behind it is down: for the user, the API cannot be reached."""
    body = b'{"error": {"code": "bad_gateway", "message": "the upstream is unavailable"}}'

    class BadGateway(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BadGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api"
        status, screen = _in_terminal(gateway, "list", "--url", url)
    finally:
        server.shutdown()
    assert status == 3, screen
    assert "the upstream is unavailable" in screen


def test_the_menu_says_please_once(gateway: Gateway, demo: ReservationsClient):
    screen = Terminal(gateway)
    try:
        screen.choose("1")
        screen.answer("Guest name: ", "Ann")
        screen.answer("Room number: ", "")
        screen.see("Please enter the room number.")
        screen.answer("Room number: ", "5")
        screen.answer("Nights: ", "x")
        before = screen.see("Please try again.")
        assert "Please enter the room number. Please try again" not in "".join(screen.transcript) + before
    finally:
        screen.close()


@pytest.mark.slow
def test_configure_with_only_a_url_changes_only_the_url_without_asking(gateway: Gateway):
    key = gateway.demo.api_key
    made = run_process(
        gateway,
        "configure",
        "--profile",
        "moving",
        "--url",
        gateway.url,
        "--customer",
        "demo",
        "--api-key",
        key,
    )
    assert made.returncode == 0, made.stderr
    moved = run_process(
        gateway, "configure", "--profile", "moving", "--url", "http://127.0.0.1:9", "--no-verify"
    )
    assert moved.returncode == 0, moved.stderr  # no terminal, and nothing asked: not "cancelled"
    saved = tomllib.loads(gateway.config_file.read_text())["profiles"]["moving"]
    assert (saved["url"], saved["customer"], saved["api_key"]) == ("http://127.0.0.1:9", "demo", key)
