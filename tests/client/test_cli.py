"""The scriptable commands as a user runs them: real processes, the real gateway, exit statuses."""

from __future__ import annotations

import json
import stat

import pytest

from reservations.client import ReservationsClient
from reservations.client.config import Profile, load_profile
from reservations.exit_status import ExitStatus
from tests.support.client import Gateway, days, run_cli, run_process
from tests.support.server import free_port


def _one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_add_then_list_get_and_delete(gateway: Gateway, demo: ReservationsClient) -> None:
    day = days(9).isoformat()
    added = run_cli(
        gateway, "add", "--guest", "Ann Smith", "--room", "101", "--nights", "2", "--check-in", day
    )
    assert added.returncode == ExitStatus.SUCCESS, added.stderr
    assert added.stdout.startswith("Added reservation ")
    (booked,) = list(demo.list())
    assert (booked.guest_name, booked.room_number, booked.check_in.isoformat()) == ("Ann Smith", 101, day)

    listed = run_cli(gateway, "list")
    assert listed.returncode == ExitStatus.SUCCESS
    assert "Ann Smith" in listed.stdout
    assert day in listed.stdout
    assert days(11).isoformat() in listed.stdout  # the check-out column

    shown = run_cli(gateway, "get", str(booked.reservation_id), "--json")
    assert json.loads(shown.stdout) == booked.to_json()

    deleted = run_cli(gateway, "delete", str(booked.reservation_id), "--yes")
    assert deleted.returncode == ExitStatus.SUCCESS
    assert list(demo.list()) == []
    assert run_cli(gateway, "list").stdout.strip() == "No reservations yet."


def test_json_output_is_machine_readable_and_all_pages_are_streamed(
    gateway: Gateway, demo: ReservationsClient
) -> None:
    made = [demo.add(f"Guest {i}", 200 + i, 1, days(i + 1)) for i in range(5)]
    everything = run_cli(gateway, "list", "--json", "--all", "--limit", "2")
    assert everything.returncode == ExitStatus.SUCCESS
    assert json.loads(everything.stdout) == [r.to_json() for r in made]

    first_page = run_cli(gateway, "list", "--json", "--limit", "2")
    assert json.loads(first_page.stdout) == [r.to_json() for r in made[:2]]
    assert "--all" in first_page.stderr  # says more exist, on stderr so stdout stays JSON

    added = run_cli(gateway, "add", "--guest", "Zed", "--room", "300", "--nights", "1", "--json")
    assert json.loads(added.stdout)["guest_name"] == "Zed"


@pytest.mark.slow
def test_refusals_exit_1_with_the_servers_message(gateway: Gateway, demo: ReservationsClient) -> None:
    first = demo.add("Ann", 101, 3, days(5))
    clash = run_process(  # a real process: what a shell script sees
        gateway, "add", "--guest", "Bob", "--room", "101", "--nights", "1", "--check-in", days(6).isoformat()
    )
    assert clash.returncode == ExitStatus.ERROR
    assert _one_line_error(clash.stderr) == (
        f"reservations add: Room 101 is already booked on {days(6).isoformat()} by reservation {first.reservation_id}"
    )
    past = run_cli(
        gateway, "add", "--guest", "Bob", "--room", "5", "--nights", "1", "--check-in", days(-9).isoformat()
    )
    assert past.returncode == ExitStatus.USAGE  # as a malformed --check-in is: the same mistake, one status
    assert "--check-in must not be in the past" in _one_line_error(past.stderr)
    missing = run_cli(gateway, "get", "424242")
    assert missing.returncode == ExitStatus.ERROR
    _one_line_error(missing.stderr)
    assert run_cli(gateway, "delete", "424242", "--yes").returncode == ExitStatus.ERROR


def test_usage_errors_exit_2_in_one_line(gateway: Gateway, demo: ReservationsClient) -> None:
    for args in (
        ["add", "--guest", "Ann", "--room", "abc", "--nights", "1"],
        ["add", "--room", "1", "--nights", "1"],
        ["add", "--guest", "Ann", "--room", "1", "--nights", "1", "--check-in", "tomorrow"],
        ["get", "abc"],
        ["list", "--from", "2026-13-01"],
        ["list", "--from", days(5).isoformat(), "--to", days(2).isoformat()],
        ["delete", "1"],  # no terminal to confirm on, and no --yes
    ):
        done = run_cli(gateway, *args)
        assert done.returncode == ExitStatus.USAGE, (args, done.stderr)
        # one prefix for every command: "reservations COMMAND: ..." (Click's usage errors too)
        assert _one_line_error(done.stderr).startswith(f"reservations {args[0]}: ")
    assert list(demo.list()) == []


def test_unreachable_server_exits_3(gateway: Gateway) -> None:
    done = run_process(gateway, "list", "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == ExitStatus.UNREACHABLE
    assert "cannot reach the server" in _one_line_error(done.stderr)


def test_flags_beat_environment_beat_profile(gateway: Gateway, demo: ReservationsClient) -> None:
    wrong = run_cli(gateway, "list", RESERVATIONS_API_KEY="rsv_not-a-key")
    assert wrong.returncode == ExitStatus.ERROR  # the environment beat the profile's good key
    right = run_cli(gateway, "list", "--api-key", gateway.demo.api_key, RESERVATIONS_API_KEY="rsv_not-a-key")
    assert right.returncode == ExitStatus.SUCCESS  # and the flag beat the environment
    elsewhere = run_cli(gateway, "list", RESERVATIONS_URL=f"http://127.0.0.1:{free_port()}")
    assert elsewhere.returncode == ExitStatus.UNREACHABLE


def test_configure_writes_a_private_profile_and_never_prints_the_key(
    gateway: Gateway, demo: ReservationsClient, acme: Profile
) -> None:
    answers = f"{gateway.url}\n{acme.customer}\n{acme.api_key}\n"
    done = run_cli(gateway, "configure", "--profile", "acme-test", stdin=answers)
    assert done.returncode == ExitStatus.SUCCESS, done.stderr
    assert acme.api_key not in done.stdout + done.stderr
    assert acme.api_key[-4:] in done.stdout
    assert "Connected" in done.stdout
    assert stat.S_IMODE(gateway.config_file.stat().st_mode) == 0o600
    assert load_profile("acme-test", path=gateway.config_file) == acme
    assert load_profile("local", path=gateway.config_file) == gateway.demo  # the others are kept

    shown = run_cli(gateway, "configure", "--profile", "acme-test", "--show")
    assert acme.api_key not in shown.stdout
    assert f"…{acme.api_key[-4:]}" in shown.stdout

    demo.add("Demo guest", 5, 1, days(2))
    as_acme = run_cli(gateway, "list", "--json", "--profile", "acme-test")
    assert all(r["guest_name"] != "Demo guest" for r in json.loads(as_acme.stdout))
    assert run_cli(gateway, "list", "--profile", "nobody").returncode == ExitStatus.USAGE


def test_output_to_a_pipe_is_one_line_per_reservation_at_any_width(
    gateway: Gateway, demo: ReservationsClient
):
    """Rich wraps at 80 columns (or $COLUMNS, 120 here) off a terminal; a pipe gets whole lines."""
    guest = "Wilhelmina " + "Featherstonehaugh-" * 4 + "Smith"  # long, but one the server takes
    added = run_process(
        gateway, "add", "--guest", guest, "--room", "8", "--nights", "2", "--check-in", days(9).isoformat()
    )
    assert added.returncode == 0, added.stderr
    assert len(added.stdout.splitlines()) == 1
    assert guest in added.stdout
    listed = run_process(gateway, "list")
    rows = [line for line in listed.stdout.splitlines() if guest in line]
    assert len(rows) == 1, listed.stdout
    assert days(9).isoformat() in rows[0]
    assert days(11).isoformat() in rows[0]
