"""The front desk from the client side: the library, the commands and the menu (a real pty).

A customer of its own (``frontdesk``), so its rooms never restrict the demo customer's tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from reservations.client import ReservationsClient
from reservations.client.commands import in_flags
from reservations.client.config import Profile
from reservations.client.errors import ConflictError, InvalidRequestError
from reservations.exit_status import ExitStatus
from tests.client.test_menu import Terminal
from tests.support.client import Gateway, days, run_cli, run_process


@pytest.fixture(scope="session")
def frontdesk_profile(gateway: Gateway) -> Profile:
    return gateway.create_tenant("frontdesk")


@pytest.fixture
def desk(frontdesk_profile: Profile) -> Iterator[ReservationsClient]:
    """The customer's client, starting from no reservations and no rooms."""
    p = frontdesk_profile
    with ReservationsClient(p.url, p.customer, p.api_key) as client:
        for r in list(client.list(all_pages=True, limit=500)):
            client.delete(r.reservation_id)
        for room in client.rooms():
            client.remove_room(room.room_number)
        yield client


def cli(gateway: Gateway, profile: Profile, *args: str) -> tuple[int, str, str]:
    ran = run_cli(
        gateway, *args, "--url", profile.url, "--customer", profile.customer, "--api-key", profile.api_key
    )
    assert "Traceback" not in ran.stderr
    return ran.returncode, ran.stdout, ran.stderr


def test_library_rooms_availability_and_change(desk: ReservationsClient):
    assert desk.put_room(102, name="Garden") is True
    assert desk.put_room(101) is True
    assert desk.put_room(102, name="Garden view") is False
    assert [(r.room_number, r.name) for r in desk.rooms()] == [(101, None), (102, "Garden view")]
    ann = desk.add("Ann", 101, 2, days(5))
    assert desk.availability(days(5), 1) == [102]
    moved = desk.change(ann.reservation_id, room_number=102, nights=3)
    assert (moved.reservation_id, moved.room_number, moved.nights) == (ann.reservation_id, 102, 3)
    assert desk.availability(days(5), 1) == [101]
    bob = desk.add("Bob", 101, 1, days(6))
    with pytest.raises(ConflictError) as caught:
        desk.change(bob.reservation_id, room_number=102)
    assert caught.value.conflicting == moved
    with pytest.raises(InvalidRequestError) as refused:
        desk.add("Cy", 999, 1, days(5))
    assert refused.value.field == "room_number"
    with pytest.raises(ConflictError):
        desk.remove_room(102)


@pytest.mark.slow
def test_rooms_commands(gateway: Gateway, frontdesk_profile: Profile, desk: ReservationsClient):
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "list")
    assert (status, out.strip()) == (0, "No rooms defined: any room number 1-99999 can be booked.")
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "add", "101-110", "201")
    assert status == ExitStatus.SUCCESS
    assert out.strip() == "Added 11 rooms: 101-110, 201"
    assert [r.room_number for r in desk.rooms()] == [*range(101, 111), 201]
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "add", "105", "202", "--json")
    assert json.loads(out) == {"added": [202], "updated": [], "unchanged": [105]}
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "add", "105", "--name", "Sea view")
    assert out.strip() == "Updated 105"
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "list", "--json")
    listed = json.loads(out)
    assert listed[4] == {"room_number": 105, "name": "Sea view", "notes": None}
    assert len(listed) == 12
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "list")
    assert "Sea view" in out
    assert "202" in out

    desk.add("Ann", 110, 1, days(2))
    status, out, err = cli(gateway, frontdesk_profile, "rooms", "remove", "108-110")
    assert status == ExitStatus.ERROR
    assert out.strip() == "Removed 108-109"
    assert err.startswith("reservations rooms remove: Room 110 is booked from")
    assert len(err.strip().splitlines()) == 1
    status, out, _ = cli(gateway, frontdesk_profile, "rooms", "remove", "202", "--json")
    assert (status, json.loads(out)) == (0, {"removed": [202]})
    for bad in (
        ["rooms", "add", "abc"],
        ["rooms", "add", "10-5"],
        ["rooms", "add", "0"],
        ["rooms", "add", "1-2000"],
    ):
        status, _, err = cli(gateway, frontdesk_profile, *bad)
        assert status == ExitStatus.USAGE, bad
        assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_availability_and_change_commands(
    gateway: Gateway, frontdesk_profile: Profile, desk: ReservationsClient
):
    status, _, err = cli(
        gateway, frontdesk_profile, "availability", "--check-in", days(3).isoformat(), "--nights", "2"
    )
    assert status == ExitStatus.ERROR
    assert "no rooms are defined yet" in err
    for number in (101, 102, 103):
        desk.put_room(number)
    ann = desk.add("Ann", 102, 1, days(4))
    status, out, _ = cli(
        gateway, frontdesk_profile, "availability", "--check-in", days(3).isoformat(), "--nights", "2"
    )
    assert (status, out.strip()) == (0, f"Free from {days(3).isoformat()} for 2 nights: 101, 103")
    status, out, _ = cli(
        gateway,
        frontdesk_profile,
        "availability",
        "--check-in",
        days(3).isoformat(),
        "--nights",
        "2",
        "--json",
    )
    assert json.loads(out) == {"check_in": days(3).isoformat(), "nights": 2, "free_rooms": [101, 103]}
    status, _, err = cli(gateway, frontdesk_profile, "availability", "--check-in", "soon", "--nights", "2")
    assert status == ExitStatus.USAGE

    rid = str(ann.reservation_id)
    status, out, _ = cli(gateway, frontdesk_profile, "change", rid, "--nights", "3", "--guest", "Ann King")
    assert status == ExitStatus.SUCCESS
    assert out.strip() == (
        f"Changed reservation {rid}: Ann King, room 102, {days(4).isoformat()} to {days(7).isoformat()} (3 nights)"
    )
    bob = desk.add("Bob", 101, 1, days(5))
    status, out, err = cli(gateway, frontdesk_profile, "change", str(bob.reservation_id), "--room", "102")
    assert status == ExitStatus.ERROR
    assert f"by reservation {rid}" in err
    status, out, _ = cli(
        gateway, frontdesk_profile, "change", str(bob.reservation_id), "--room", "103", "--json"
    )
    assert json.loads(out)["room_number"] == 103
    assert cli(gateway, frontdesk_profile, "change", rid)[0] == ExitStatus.USAGE
    assert cli(gateway, frontdesk_profile, "change", rid, "--nights", "x")[0] == ExitStatus.USAGE
    assert cli(gateway, frontdesk_profile, "change", "987654", "--nights", "2")[0] == ExitStatus.ERROR
    assert cli(gateway, frontdesk_profile, "change", rid, "--room", "999")[0] == ExitStatus.ERROR


@pytest.mark.slow
def test_change_as_its_own_process_says_one_line_when_the_server_is_away(
    gateway: Gateway, frontdesk_profile: Profile
):
    from tests.support.server import free_port

    done = run_process(
        gateway,
        "change",
        "1",
        "--nights",
        "2",
        "--url",
        f"http://127.0.0.1:{free_port()}",
        "--customer",
        "frontdesk",
        "--api-key",
        frontdesk_profile.api_key,
    )
    assert done.returncode == ExitStatus.UNREACHABLE
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.fixture
def terminal(gateway: Gateway, frontdesk_profile: Profile, desk: ReservationsClient) -> Iterator[Terminal]:
    p = frontdesk_profile
    screen = Terminal(gateway, "--url", p.url, "--customer", p.customer, "--api-key", p.api_key)
    yield screen
    screen.close()


def test_menu_changes_a_reservation_re_asking_on_bad_input(desk: ReservationsClient, terminal: Terminal):
    for number in (101, 102):
        desk.put_room(number)
    ann = desk.add("Ann Smith", 101, 2, days(10))
    bob = desk.add("Bob", 102, 1, days(11))
    t = terminal
    t.see("6. Change a reservation")
    t.see("7. Find a free room")
    t.choose("6")
    t.answer("ID of the reservation to change: ", "abc")
    t.see("The reservation ID must be a whole number")
    t.answer("ID of the reservation to change: ", str(ann.reservation_id))
    t.see(f"Changing reservation {ann.reservation_id}: Ann Smith, room 101")
    t.answer("Guest name [Ann Smith]: ", "")
    t.answer("Room number [101]: ", "102")
    t.answer(f"Check-in date [{days(10).isoformat()}]: ", "")
    t.answer("Nights [2]: ", "40")
    t.see("The number of nights must be between 1 and 30")
    t.answer("Nights [2]: ", "")
    t.see(
        f"Not changed: Room 102 is already booked on {days(11).isoformat()} by reservation {bob.reservation_id}."
    )
    t.answer("Change the (d)ates, the (r)oom, or (c)ancel? [r]: ", "")
    t.answer("Room number [102]: ", "999")  # not one of the rooms: the server's 400, re-asked
    t.see("Not changed: room 999 is not one of this customer's rooms")
    t.answer("Room number [999]: ", "101")
    t.see("Nothing to change.")
    assert desk.get(ann.reservation_id) == ann

    t.choose("6")
    t.answer("ID of the reservation to change: ", str(ann.reservation_id))
    t.answer("Guest name [Ann Smith]: ", "Ann King")
    t.answer("Room number [101]: ", "")
    t.answer(f"Check-in date [{days(10).isoformat()}]: ", "")
    t.answer("Nights [2]: ", "3")
    t.see(f"Changed: reservation {ann.reservation_id}: Ann King, room 101")
    t.see(f"The reservation ID is still {ann.reservation_id}.")
    changed = desk.get(ann.reservation_id)
    assert (changed.guest_name, changed.room_number, changed.nights) == ("Ann King", 101, 3)
    t.choose("5")
    assert t.exit_status() == 0


def test_menu_finds_a_free_room_and_books_it(desk: ReservationsClient, terminal: Terminal):
    t = terminal
    t.choose("7")
    t.answer("Check-in date", days(20).isoformat())
    t.answer("Nights: ", "2")
    t.see("no rooms are defined yet")
    for number in (101, 102, 103):
        desk.put_room(number)
    desk.add("Ann", 102, 1, days(21))
    t.choose("7")
    t.answer("Check-in date", "tomorrow")
    t.see("Please enter the date as YYYY-MM-DD")
    t.answer("Check-in date", days(20).isoformat())
    t.answer("Nights: ", "2")
    t.see(f"Free from {days(20).isoformat()} for 2 nights: 101, 103")
    t.answer("Book one of them? [y/N] ", "y")
    t.answer("Room number [101]: ", "102")
    t.see("Please choose one of the free rooms: 101, 103")
    t.answer("Room number [101]: ", "103")
    t.answer("Guest name: ", "Cy")
    t.see("Booked: reservation ")
    assert [(r.guest_name, r.room_number) for r in desk.list(room=103)] == [("Cy", 103)]
    t.choose("5")
    assert t.exit_status() == 0


def test_a_piped_menu_whose_answers_run_out_mid_dialog_fails_naming_the_question(
    gateway: Gateway, frontdesk_profile: Profile, desk: ReservationsClient
):
    """The issue's script: room 301 is refused, the next lines are read as room numbers, then EOF."""
    desk.put_room(101)
    p = frontdesk_profile
    day = days(5).isoformat()
    done = run_process(
        gateway,
        "menu",
        stdin=f"1\nAnn\n301\n2\n{day}\n3\n5\n",
        RESERVATIONS_URL=p.url,
        RESERVATIONS_CUSTOMER=p.customer,
        RESERVATIONS_API_KEY=p.api_key,
    )
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.splitlines()
    assert line.startswith("reservations menu: the input ended before '")
    assert line.endswith("was answered; 'Add a reservation' was not done")
    assert list(desk.list()) == []


@pytest.mark.slow
def test_cli_mistakes_name_the_flag_and_the_same_mistake_has_the_same_exit_status(
    gateway: Gateway, frontdesk_profile: Profile, desk: ReservationsClient
):
    rid = str(desk.add("Ann", 5, 1, days(4)).reservation_id)
    past, soon = days(-10).isoformat(), days(3).isoformat()
    add = ["add", "--guest", "Ann", "--room", "5", "--nights", "1", "--check-in", soon]
    mistakes = {
        "--nights": [
            [*add, "--nights", "-2"],
            ["change", rid, "--nights", "0"],
            ["change", rid, "--nights", "31"],
        ],
        "--room": [[*add, "--room", "0"], ["change", rid, "--room", "100000"]],
        "--check-in": [[*add, "--check-in", past], ["change", rid, "--check-in", past]],
        "--guest": [[*add, "--guest", "x" * 101], ["change", rid, "--guest", " "]],
    }
    for flag, commands in mistakes.items():
        for args in commands:
            status, _, err = cli(gateway, frontdesk_profile, *args)
            assert status == ExitStatus.USAGE, (args, err)
            (line,) = err.splitlines()
            assert f": {flag} " in line, line
            assert not {"guest_name", "room_number", "check_in"} & set(line.replace(",", " ").split()), line
    assert [r.nights for r in desk.list()] == [1]  # nothing was changed

    desk.put_room(101)  # the server's own refusal, in the user's words: no HTTP route
    status, _, err = cli(gateway, frontdesk_profile, *add, "--room", "301")
    assert (status, err.strip()) == (1, "reservations add: room 301 is not one of this customer's rooms")


def test_a_server_message_about_a_field_names_the_flag():
    assert in_flags("check_in must not be in the past", "check_in") == "--check-in must not be in the past"
    assert in_flags("guest_name must be at most 100 characters", "guest_name").startswith("--guest must")
    assert in_flags("room 3 is not one of this customer's rooms", "room_number").startswith("room 3")


def test_menu_shows_a_rooms_channel_calendars_and_changes_its_imports(
    desk: ReservationsClient, terminal: Terminal
):
    t = terminal
    desk.put_room(101, name="Sea view")
    feed = desk.room_calendar(101)["calendar_url"]
    t.choose("8")
    t.answer("Room number: ", "101")
    t.see(feed)
    t.see("It imports no channel calendar.")
    t.answer("Change the calendars it imports? [y/N] ", "y")
    t.answer("Calendar URLs", "ftp-not-a-url")
    t.see("Please enter calendar URLs")
    t.answer("Calendar URLs", f"{feed}")
    t.see("Room 101 imports 1 calendar")
    t.answer("Give its calendar a new URL (the old one stops working)? [y/N] ", "y")
    t.see("New calendar URL: ")
    info = desk.room_calendar(101)
    assert [f["url"] for f in info["feeds"]] == [feed]
    assert info["calendar_url"] != feed
    assert info["name"] == "Sea view"  # changing the imports keeps the room's name
    t.choose("8")
    t.answer("Room number: ", "101")
    t.see(f"{feed}: not synced yet")
    t.answer("Change the calendars it imports? [y/N] ", "")
    t.answer("Give its calendar a new URL (the old one stops working)? [y/N] ", "")
    t.choose("5")
    assert t.exit_status() == 0
