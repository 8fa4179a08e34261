"""The bodies of the scriptable commands; ``cli.py`` only declares their flags.

Every command ends through ``run``, which turns each failure class into one line on stderr and
its exit status, so scripts can tell "refused" (1) from "usage" (2) from "unreachable" (3) and no
traceback ever reaches a user (``--debug`` shows one).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TextIO

from reservations.client import config
from reservations.client.config import ConfigError, Profile, mask_key
from reservations.client.errors import ClientError, InvalidRequestError, NetworkError
from reservations.client.render import console, describe, table
from reservations.domain.errors import ValidationError
from reservations.domain.parsing import (
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    check_bookable,
    parse_date,
    parse_guest_name,
)
from reservations.exit_status import ExitStatus

if TYPE_CHECKING:
    from reservations.client.library import ReservationsClient
    from reservations.domain.reservation import Page, Reservation

DEBUG_ENV = "RESERVATIONS_DEBUG"  # set by ``reservations --debug COMMAND`` (or by hand)
# The flag a person typed for each field the API names in its errors.
FLAG_OF_FIELD = {
    "guest_name": "--guest",
    "room_number": "--room",
    "nights": "--nights",
    "check_in": "--check-in",
}
ALL_PAGES_LIMIT = 500  # the API's maximum: fewest round trips when streaming everything


class UsageProblem(Exception):
    """A flag or argument is malformed; reported like Click's usage errors (exit 2), in one line."""


@dataclass(frozen=True)
class Connection:
    """Connection flags as given (None: fall back to the environment, then the profile)."""

    url: str | None = None
    customer: str | None = None
    api_key: str | None = None
    profile: str | None = None

    def resolve(self) -> config.Resolved:
        return config.resolve(
            url=self.url, customer=self.customer, api_key=self.api_key, profile=self.profile
        )

    def client(self) -> ReservationsClient:
        from reservations.client.library import ReservationsClient

        p = self.resolve().profile
        return ReservationsClient(p.url, p.customer, p.api_key)


def run(debug: bool, command: str, action: Callable[[], int | None]) -> int:
    """Runs a command body and returns its exit status; failures become one line on stderr,
    prefixed ``reservations COMMAND:`` like every other command's (and Click's usage errors)."""
    debug = debug or os.environ.get(DEBUG_ENV) == "1"
    try:
        return action() or ExitStatus.SUCCESS
    except (UsageProblem, ConfigError) as exc:
        return _fail(debug, command, str(exc), ExitStatus.USAGE)
    except NetworkError as exc:
        return _fail(debug, command, exc.message, ExitStatus.UNREACHABLE)
    except InvalidRequestError as exc:
        return _fail(debug, command, in_flags(exc.message, exc.field), ExitStatus.ERROR)
    except ClientError as exc:
        # 502/504 come from a proxy (nginx) whose upstream is down or silent: the API is unreachable.
        unreachable = getattr(exc, "status", None) in (502, 504)
        return _fail(debug, command, exc.message, ExitStatus.UNREACHABLE if unreachable else ExitStatus.ERROR)
    except (KeyboardInterrupt, EOFError):
        return _fail(debug, command, "cancelled", ExitStatus.ERROR)
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.  Point stdout at /dev/null so the
        # interpreter's final flush does not report it again (the recipe of Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitStatus.SUCCESS
    except Exception as exc:  # the promise: no traceback without --debug
        return _fail(debug, command, f"unexpected {type(exc).__name__}: {exc}", ExitStatus.ERROR)


def in_flags(message: str, field: str | None) -> str:
    """A server's message about a field, in the words of the command line: ``check_in must not be
    in the past`` becomes ``--check-in must not be in the past``."""
    flag = FLAG_OF_FIELD.get(field or "")
    if flag and field and message.startswith(f"{field} "):
        return flag + message[len(field) :]
    return message


def _fail(debug: bool, command: str, message: str, status: ExitStatus) -> int:
    if debug:
        traceback.print_exc()
    print(f"reservations {command}: {message}", file=sys.stderr)
    return status


# ---------------------------------------------------------------------- argument parsing


def whole_number(text: str, what: str, low: int = 0, high: int | None = None) -> int:
    """A flag's number; with bounds, a value outside them (``-2`` included) names the range."""
    text = text.strip()
    bounds = f" between {low} and {high}" if high is not None else ""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise UsageProblem(f"{what} must be a whole number{bounds}, not {text!r}")
    if len(digits.lstrip("0")) > 16:
        raise UsageProblem(f"{what} must be a whole number{bounds}" if bounds else f"{what} is too large")
    value = int(text)
    if value < low or (high is not None and value > high):
        raise UsageProblem(f"{what} must be a whole number{bounds}, not {text!r}")
    return value


def a_date(text: str, what: str) -> date:
    try:
        return parse_date(text.strip(), what)
    except ValidationError as exc:
        raise UsageProblem(f"{exc.message}, not {text!r}") from None


def a_guest(text: str) -> str:
    """The server's guest-name rule, checked here so a bad ``--guest`` is a usage error like the rest."""
    try:
        return parse_guest_name(text)
    except ValidationError as exc:
        raise UsageProblem(in_flags(exc.message, exc.field)) from None


def a_check_in(text: str, what: str = "--check-in") -> date:
    """A date the server would book: the same mistake is a usage error (2) whoever notices it."""
    try:
        return check_bookable(a_date(text, what))
    except ValidationError as exc:
        raise UsageProblem(f"{in_flags(exc.message, exc.field)}, not {text!r}") from None


# ---------------------------------------------------------------------- commands


def list_reservations(
    conn: Connection,
    *,
    all_pages: bool,
    start: str | None,
    end: str | None,
    room: str | None,
    limit: str | None,
    as_json: bool,
) -> int:
    first = a_date(start, "--from") if start else None
    last = a_date(end, "--to") if end else None
    if first and last and last <= first:
        raise UsageProblem("--to must be after --from")
    room_number = whole_number(room, "--room", ROOM_MIN, ROOM_MAX) if room else None
    page_size = whole_number(limit, "--limit", 1, 500) if limit else (ALL_PAGES_LIMIT if all_pages else None)
    with conn.client() as client:
        pages = client.pages(limit=page_size, start=first, end=last, room=room_number)
        more = _More()
        if as_json:
            write_json_array(_items(pages, all_pages, more), sys.stdout)
        else:
            items = list(_items(pages, all_pages, more))
            out = console()
            if items:
                out.print(table(items))
            elif first or last or room_number:
                out.print("No reservations match.")
            else:
                out.print("No reservations yet.")
    if more.value:
        print("More reservations exist: add --all to list every page.", file=sys.stderr)
    return ExitStatus.SUCCESS


class _More:
    """Set when pages were left unread, so the caller can say so after the output."""

    def __init__(self) -> None:
        self.value = False


def _items(pages: Iterator[Page], all_pages: bool, more: _More) -> Iterator[Reservation]:
    for page in pages:
        yield from page.items
        if not all_pages:
            more.value = page.next_cursor is not None
            return


def write_json_array(items: Iterator[Reservation], out: TextIO) -> None:
    """Streams a JSON array item by item, so memory holds one page however long the list is."""
    out.write("[")
    sep = "\n  "
    count = 0
    for r in items:
        out.write(sep + json.dumps(r.to_json(), ensure_ascii=False))
        sep = ",\n  "
        count += 1
        if count % ALL_PAGES_LIMIT == 0:
            out.flush()
    out.write("\n]\n" if count else "]\n")
    out.flush()


def get_reservation(conn: Connection, reservation_id: str, *, as_json: bool) -> int:
    rid = whole_number(reservation_id, "the reservation id")
    with conn.client() as client:
        r = client.get(rid)
    if as_json:
        print(json.dumps(r.to_json(), ensure_ascii=False, indent=2))
    else:
        console().print(table([r]))
    return ExitStatus.SUCCESS


def add_reservation(
    conn: Connection,
    *,
    guest: str | None,
    room: str | None,
    nights: str | None,
    check_in: str | None,
    as_json: bool,
) -> int:
    if guest is None:
        raise UsageProblem("--guest is required")
    if room is None:
        raise UsageProblem("--room is required")
    if nights is None:
        raise UsageProblem("--nights is required")
    name = a_guest(guest)
    room_number = whole_number(room, "--room", ROOM_MIN, ROOM_MAX)
    night_count = whole_number(nights, "--nights", NIGHTS_MIN, NIGHTS_MAX)
    day = a_check_in(check_in) if check_in else date.today()
    with conn.client() as client:
        r = client.add(name, room_number, night_count, day)
    if as_json:
        print(json.dumps(r.to_json(), ensure_ascii=False, indent=2))
    else:
        console().print(f"Added {describe(r)}")
    return ExitStatus.SUCCESS


def delete_reservation(conn: Connection, reservation_id: str, *, yes: bool) -> int:
    rid = whole_number(reservation_id, "the reservation id")
    with conn.client() as client:
        if not yes:
            if not sys.stdin.isatty():
                raise UsageProblem("pass --yes to delete without a terminal to confirm on")
            r = client.get(rid)
            answer = input(f"Delete {describe(r)}? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                print("Not deleted.", file=sys.stderr)
                return ExitStatus.ERROR
        client.delete(rid)
    print(f"Deleted reservation {rid}.")
    return ExitStatus.SUCCESS


def configure(
    *,
    name: str | None,
    url: str | None,
    customer: str | None,
    api_key: str | None,
    make_default: bool,
    show: bool,
    verify: bool,
) -> int:
    name = name or config.default_profile_name()
    try:
        current: Profile | None = config.load_profile(name)
    except ConfigError:
        current = None
    if show:
        if current is None:
            raise ConfigError(f"no profile {name!r} in {config.config_path()}")
        print(f"profile:  {name}\nurl:      {current.url}\ncustomer: {current.customer}")
        print(f"api_key:  {mask_key(current.api_key)}\nfile:     {config.config_path()}")
        return ExitStatus.SUCCESS
    url, customer, api_key = ((value or "").strip() or None for value in (url, customer, api_key))
    if current is not None and (url or customer or api_key):
        # A flag changes that value of an existing profile; the others stay as they are, unasked.
        url, customer, api_key = url or current.url, customer or current.customer, api_key or current.api_key
    url = url or ask("Server URL", current.url if current else "http://127.0.0.1:8080")
    customer = config.header_value(
        customer or ask("Customer", current.customer if current else None), "customer"
    )
    api_key = config.header_value(
        api_key or ask_secret("API key", current.api_key if current else None), "API key"
    )
    if not url.startswith(("http://", "https://")):
        raise UsageProblem(f"the server URL must start with http:// or https://, not {url!r}")
    url = url.rstrip("/")
    # A profile ``serve`` wrote keeps naming its store while it still points at the same server.
    store = current.store if current is not None and current.url == url else None
    profile = Profile(url=url, customer=customer, api_key=api_key, store=store)
    path = config.save_profile(name, profile)
    if make_default:
        config.set_default_profile(name)
    print(f"Saved profile {name!r} (key {mask_key(api_key)}) in {path}")
    if verify:
        check_connection(profile)
    return ExitStatus.SUCCESS


def check_connection(profile: Profile) -> None:
    from reservations.client.library import ReservationsClient

    try:
        with ReservationsClient(profile.url, profile.customer, profile.api_key, retries=1) as client:
            client.page(limit=1)
    except ClientError as exc:
        print(f"Warning: could not use it yet: {exc.message}", file=sys.stderr)
    else:
        print(f"Connected to {profile.url} as {profile.customer}.")


def ask(label: str, default: str | None) -> str:
    """Re-asks until answered; Enter keeps the default, which is shown."""
    while True:
        hint = f" [{default}]" if default else ""
        answer = input(f"{label}{hint}: ").strip()
        if answer or default:
            return answer or default or ""
        print(f"{label} is required.")


def ask_secret(label: str, current: str | None) -> str:
    """Hidden input on a terminal; a plain line when scripted (getpass would open /dev/tty instead)."""
    import getpass

    hint = f" [keep {mask_key(current)}]" if current else ""
    while True:
        prompt = f"{label}{hint}: "
        answer = (getpass.getpass(prompt) if sys.stdin.isatty() else input(prompt)).strip()
        if answer or current:
            return answer or current or ""
        print(f"{label} is required.")
