"""``reservations menu`` in a real pseudo-terminal (pexpect), asserting on what the screen shows:
against one deployment, and against the one URL of ``serve --cells 2`` (issue #24, slow)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date

import pexpect
import pytest

from reservations.client import ReservationsClient
from reservations.client.config import Profile, save_profile
from tests.client.proxy import Proxy
from tests.support.client import CLI, Gateway, days
from tests.support.server import free_port

MENU_PROMPT = "Choose [1-8]: "


@pytest.fixture(scope="module", params=["serve", pytest.param("cells", marks=pytest.mark.slow)])
def gateway(request: pytest.FixtureRequest, gateway: Gateway) -> Gateway:
    """The conftest's one deployment, or ``cells_gateway``: the demo in cell c1, acme in c2."""
    if request.param == "serve":
        return gateway
    cells: Gateway = request.getfixturevalue("cells_gateway")
    return cells


class Terminal:
    """The menu on a pseudo-terminal: type lines, press keys, wait for text to appear."""

    def __init__(self, gateway: Gateway, *args: str, **env: str) -> None:
        self.child = pexpect.spawn(
            CLI[0],
            [*CLI[1:], "menu", *args],
            env=gateway.env(**env),
            encoding="utf-8",
            timeout=20,
            dimensions=(50, 140),
        )
        self.transcript: list[str] = []

    def see(self, text: str) -> str:
        """Waits until ``text`` is on screen; returns what was printed before it."""
        try:
            self.child.expect_exact(text)
        except (pexpect.TIMEOUT, pexpect.EOF):
            pytest.fail(f"never saw {text!r}; the screen showed:\n{self.child.before}")
        before = str(self.child.before)
        self.transcript.append(before + text)
        assert "Traceback" not in before
        return before

    def type(self, line: str) -> None:
        self.child.sendline(line)

    def answer(self, prompt: str, line: str) -> str:
        before = self.see(prompt)
        self.type(line)
        return before

    def choose(self, option: str) -> str:
        return self.answer(MENU_PROMPT, option)

    def exit_status(self) -> int:
        self.child.expect(pexpect.EOF)
        assert "Traceback" not in str(self.child.before)
        self.child.close()
        return int(self.child.exitstatus)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminal(gateway: Gateway, demo: ReservationsClient) -> Iterator[Terminal]:
    screen = Terminal(gateway)
    yield screen
    screen.close()


def test_add_list_delete_with_every_bad_input(
    gateway: Gateway, demo: ReservationsClient, terminal: Terminal
) -> None:
    t = terminal
    t.see(f"Reservations - customer demo at {gateway.url} (profile local)")  # from the profile `serve` wrote
    for line in ("1. Add a reservation", "2. Delete a reservation", "3. List all reservations"):
        t.see(line)
    t.choose("3")
    t.see("No reservations yet.")
    t.choose("x")
    t.see("Please enter a number from 1 to 8.")

    t.choose("1")
    t.answer("Guest name: ", "")
    t.see("The guest name must not be empty. Please try again.")
    t.answer("Guest name: ", "  Ann Smith ")
    t.answer("Room number: ", "abc")
    t.see("The room number must be a whole number, and 'abc' is not one")
    t.answer("Room number: ", "0")
    t.see("The room number must be between 1 and 99999")
    t.answer("Room number: ", "101")
    t.answer("Nights: ", "two")
    t.see("The number of nights must be a whole number")
    t.answer("Nights: ", "31")
    t.see("The number of nights must be between 1 and 30")
    t.answer("Nights: ", "2")
    t.see(f"Check-in date [{date.today().isoformat()}]: ")  # the default, shown
    t.type("2026-13-45")
    t.see("2026-13-45 is not a calendar date")
    t.answer("Check-in date", "next week")
    t.see("Please enter the date as YYYY-MM-DD")
    t.answer("Check-in date", days(-3).isoformat())
    t.see(f"The check-in date {days(-3).isoformat()} is in the past")
    t.answer("Check-in date", days(10).isoformat())
    t.see("Booked: reservation ")
    ann = demo.list().__next__()
    t.see(f"The reservation ID is {ann.reservation_id}.")
    assert (ann.guest_name, ann.room_number, ann.nights, ann.check_in) == ("Ann Smith", 101, 2, days(10))

    t.choose("1")  # a room already booked: the server's message, the values kept, new dates offered
    t.answer("Guest name: ", "Bob")
    t.answer("Room number: ", "101")
    t.answer("Nights: ", "1")
    t.answer("Check-in date", days(11).isoformat())
    t.see(
        f"Not booked: Room 101 is already booked on {days(11).isoformat()} by reservation {ann.reservation_id}."
    )
    t.answer("Change the (d)ates, the (r)oom, or (c)ancel? [d]: ", "x")
    t.see("Please answer d, r or c")
    t.answer("[d]: ", "")
    t.answer("Nights [1]: ", "")
    t.answer(f"Check-in date [{days(11).isoformat()}]: ", days(20).isoformat())
    t.see("Booked: reservation ")
    bob = next(r for r in demo.list(all_pages=True) if r.guest_name == "Bob")
    assert (bob.room_number, bob.nights, bob.check_in) == (101, 1, days(20))

    t.choose("3")
    listing = t.see(MENU_PROMPT)
    t.type("")  # back at the menu; an empty choice is re-asked
    for text in ("Check-in", "Check-out", days(12).isoformat(), days(21).isoformat()):
        assert text in listing
    assert listing.index("Ann Smith") < listing.index("Bob")  # sorted by check-in

    t.choose("2")
    t.answer("ID of the reservation to delete: ", "abc")
    t.see("The reservation ID must be a whole number")
    t.answer("ID of the reservation to delete: ", "999999")
    t.see("There is no reservation 999999.")
    t.choose("2")
    t.answer("ID of the reservation to delete: ", str(ann.reservation_id))
    t.answer(f"Delete reservation {ann.reservation_id}: Ann Smith, room 101", "y")
    t.see(f"Deleted reservation {ann.reservation_id}.")
    assert [r.guest_name for r in demo.list(all_pages=True)] == ["Bob"]

    t.choose("5")
    t.see("Goodbye.")
    assert t.exit_status() == 0


@pytest.mark.slow
def test_ctrl_c_and_ctrl_d_cancel_a_prompt_and_leave_the_menu(
    gateway: Gateway, demo: ReservationsClient, terminal: Terminal
) -> None:
    t = terminal
    t.choose("1")
    t.answer("Guest name: ", "Ann")
    t.see("Room number: ")
    t.child.sendintr()
    t.see("Cancelled.")
    t.choose("1")
    t.see("Guest name: ")
    t.child.sendeof()
    t.see("Cancelled.")
    assert list(demo.list()) == []
    t.see(MENU_PROMPT)
    t.child.sendeof()
    t.see("Goodbye.")
    assert t.exit_status() == 0

    again = Terminal(gateway)
    try:
        again.see(MENU_PROMPT)
        again.child.sendintr()
        again.see("Goodbye.")
        assert again.exit_status() == 0
    finally:
        again.close()


@pytest.mark.slow
def test_server_down_says_so_and_offers_a_retry(gateway: Gateway, demo: ReservationsClient) -> None:
    port = free_port()
    demo.add("Ann", 101, 1, days(3))
    t = Terminal(
        gateway, "--url", f"http://127.0.0.1:{port}", "--customer", "demo", "--api-key", gateway.demo.api_key
    )
    try:
        t.choose("3")
        before = t.see(f"Cannot reach the server at http://127.0.0.1:{port}")
        assert "cannot reach the server" not in before.lower()  # said once, not "...: cannot reach..."
        t.see("Retry? [Y/n] ")
        with Proxy(gateway.url, port=port):  # the server comes back
            t.type("y")
            t.see("Ann")
        t.choose("3")  # and goes away again
        t.answer("Retry? [Y/n] ", "n")
        t.see("Cancelled.")
        t.choose("5")
        assert t.exit_status() == 0
    finally:
        t.close()


@pytest.mark.slow
def test_retrying_an_add_whose_answer_was_lost_books_once(gateway: Gateway, demo: ReservationsClient) -> None:
    with Proxy(gateway.url) as proxy:
        t = Terminal(gateway, "--url", proxy.url, "--customer", "demo", "--api-key", gateway.demo.api_key)
        try:
            t.choose("1")
            t.answer("Guest name: ", "Ann")
            t.answer("Room number: ", "101")
            t.answer("Nights: ", "2")
            proxy.fail_next("drop", "drop")  # the booking is made, both answers (try and auto-retry) lost
            t.answer("Check-in date", days(5).isoformat())
            t.see("Cannot reach the server at")
            t.see("the connection broke before it answered")
            t.answer("Retry? [Y/n] ", "y")
            (booked,) = demo.list(all_pages=True)  # once, though three requests reached the server
            t.see(f"The reservation ID is {booked.reservation_id}.")
            assert [m for m, _ in proxy.seen] == ["POST", "POST", "POST"]
            t.choose("5")
            assert t.exit_status() == 0
        finally:
            t.close()


def test_switch_customer_profile(gateway: Gateway, demo: ReservationsClient, acme: Profile) -> None:
    save_profile("acme", acme, path=gateway.config_file)
    demo.add("Demo guest", 5, 1, days(2))
    t = Terminal(gateway)
    try:
        t.choose("4")
        t.see(f"acme: acme at {gateway.url} (key …{acme.api_key[-4:]})")
        t.see("local: demo at")
        listing = t.see("Profile number, or n: ")
        assert acme.api_key not in listing
        assert gateway.demo.api_key not in listing
        t.type("1")
        t.see("Now customer acme at")
        t.see(f"Reservations - customer acme at {gateway.url} (profile acme)")
        t.choose("3")
        shown = t.see(MENU_PROMPT)
        assert "Demo guest" not in shown
        t.type("5")
        assert t.exit_status() == 0
    finally:
        t.close()


def _piped(gateway: Gateway, lines: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "menu"], input=lines, env=gateway.env(**env), capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_works_without_a_terminal(gateway: Gateway, demo: ReservationsClient) -> None:
    day = days(4).isoformat()
    done = _piped(gateway, f"1\nPiped Guest\nseven\n7\n1\n{day}\n3\n5\n")
    assert done.returncode == 0, done.stderr
    assert "The room number must be a whole number" in done.stdout
    (added,) = demo.list()
    assert f"The reservation ID is {added.reservation_id}." in done.stdout
    assert (added.guest_name, added.room_number, added.check_in.isoformat()) == ("Piped Guest", 7, day)
    assert "Traceback" not in done.stdout + done.stderr

    cut_short = _piped(gateway, "1\nHalf a booking\n")  # the input ends mid-action: not a success
    assert cut_short.returncode == 2
    assert cut_short.stderr.splitlines() == [
        "reservations menu: the input ended before 'Room number' was answered; 'Add a reservation' was not done"
    ]
    assert len(list(demo.list())) == 1

    between = _piped(gateway, "3\n")  # the input ends at the menu, after a finished action: a clean end
    assert (between.returncode, between.stderr) == (0, "")

    refused = _piped(gateway, "3\n5\n", RESERVATIONS_API_KEY="rsv_wrong-key")
    assert refused.returncode == 0
    assert "The server refused customer 'demo'" in refused.stdout
    assert "Choose 4 to switch profile" in refused.stdout
