"""``reservations menu``: the original text menu (add, delete, list, exit), made hard to crash.

Items 6 and 7 (change a reservation, find a free room) live in ``menu_frontdesk``, item 8 (a
room's channel calendars) in ``menu_channels``.

Plain ``input()`` prompts rather than a full-screen toolkit, because the same code must serve a
terminal and a script piping lines on stdin.  Every answer is parsed here and re-asked with the
reason; the server's refusals come back as typed errors and are turned into a next step (change
the dates, re-ask a field, retry), never a traceback.  Ctrl-C / Ctrl-D cancel the current action
and leave the menu from the top level; piped input that ends in the middle of an action is an
error (exit 2) naming the question left unanswered.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from reservations.client import config, menu_channels, menu_frontdesk
from reservations.client.answers import (
    Cancelled,
    InputEnded,
    Invalid,
    number_parser,
    parse_check_in,
    parse_dqc,
    parse_name,
    parse_nights,
    parse_required,
    parse_room,
    parse_url,
)
from reservations.client.config import ConfigError, Profile, mask_key
from reservations.client.errors import (
    AuthError,
    ClientError,
    ConflictError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
)
from reservations.client.library import ReservationsClient, new_idempotency_key
from reservations.client.render import console, describe, table
from reservations.exit_status import ExitStatus

if TYPE_CHECKING:
    from reservations.client.commands import Connection

T = TypeVar("T")
PAGE_SIZE = 20
CHOICES = (
    "Add a reservation",
    "Delete a reservation",
    "List all reservations",
    "Switch customer/profile",
    "Exit",
    # Appended, so the original numbers (and scripts that type them) keep their meaning.
    "Change a reservation",
    "Find a free room",
    "Channel calendars",
)


# ---------------------------------------------------------------------- the menu


class Menu:
    def __init__(self, profile: Profile, profile_name: str | None) -> None:
        self.profile = profile
        self.profile_name = profile_name
        self.client = self._connect(profile)
        self.out = console()
        self.scripted = not sys.stdin.isatty()

    @staticmethod
    def _connect(profile: Profile) -> ReservationsClient:
        # One quick retry: the person at the keyboard gets the retry choice soon rather than a long wait.
        return ReservationsClient(profile.url, profile.customer, profile.api_key, retries=1, backoff_s=0.2)

    def run(self) -> int:
        try:
            while True:
                self.show_menu()
                try:
                    choice = self.read(f"Choose [1-{len(CHOICES)}]: ").strip().lower()
                except (KeyboardInterrupt, EOFError, InputEnded):  # between dialogs: a clean end
                    self.say("\nGoodbye.")
                    return ExitStatus.SUCCESS
                if choice in ("5", "q", "quit", "exit"):
                    self.say("Goodbye.")
                    return ExitStatus.SUCCESS
                actions: dict[str, Callable[[], None]] = {
                    "1": self.add,
                    "2": self.delete,
                    "3": self.list,
                    "4": self.switch,
                    "6": partial(menu_frontdesk.change, self),
                    "7": partial(menu_frontdesk.find_free_room, self),
                    "8": partial(menu_channels.channel_calendars, self),
                }
                action = actions.get(choice)
                if action is None:
                    self.say(f"Please enter a number from 1 to {len(CHOICES)}.")
                    continue
                try:
                    self.perform(action)
                except InputEnded as exc:
                    print(
                        f"reservations menu: the input ended before {exc.question!r} was answered; "
                        f"{CHOICES[int(choice) - 1]!r} was not done",
                        file=sys.stderr,
                    )
                    return ExitStatus.USAGE
        finally:
            self.client.close()

    def perform(self, action: Callable[[], None]) -> None:
        try:
            action()
        except (Cancelled, KeyboardInterrupt, EOFError):
            self.say("\nCancelled.")
        except AuthError as exc:
            self.say(
                f"The server refused customer {self.profile.customer!r} with key "
                f"{mask_key(self.profile.api_key)}: {exc.message}. Choose 4 to switch profile."
            )
        except ClientError as exc:
            self.say(f"The server refused: {exc.message}")

    def show_menu(self) -> None:
        where = f" (profile {self.profile_name})" if self.profile_name else ""
        self.say("")
        self.say(f"Reservations - customer {self.profile.customer} at {self.profile.url}{where}")
        for number, label in enumerate(CHOICES, start=1):
            self.say(f"  {number}. {label}")

    # ------------------------------------------------------------------ input and output

    def say(self, text: str) -> None:
        print(text, flush=True)

    def read(self, prompt: str) -> str:
        try:
            answer = input(prompt)
        except EOFError:
            if self.scripted:  # on a terminal, Ctrl-D cancels the action instead
                raise InputEnded(prompt) from None
            raise
        if self.scripted:  # a transcript of a scripted session reads like one typed in
            print(answer, flush=True)
        return answer

    def ask(self, label: str, parse: Callable[[str], T], default: str | None = None) -> T:
        while True:
            hint = f" [{default}]" if default else ""
            text = self.read(f"{label}{hint}: ")
            if not text.strip() and default:
                text = default
            try:
                return parse(text)
            except Invalid as exc:
                reason = str(exc)
                # "Please enter the room number" is advice already; do not say "please" twice.
                self.say(f"  {reason}." if reason.startswith("Please") else f"  {reason}. Please try again.")

    def yes_no(self, question: str, *, default: bool) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        while True:
            answer = self.read(f"{question} {hint} ").strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.say("  Please answer y or n.")

    def call(self, request: Callable[[], T]) -> T:
        """Runs a request; when the server cannot be reached, says so and offers to retry."""
        while True:
            try:
                return request()
            except NetworkError as exc:
                self.say(f"{exc.message[:1].upper()}{exc.message[1:]}.")
                if not self.yes_no("Retry?", default=True):
                    raise Cancelled from None

    # ------------------------------------------------------------------ actions

    def add(self) -> None:
        name = self.ask("Guest name", parse_name)
        room = self.ask("Room number", parse_room)
        nights = self.ask("Nights", parse_nights)
        check_in = self.ask("Check-in date", parse_check_in, default=date.today().isoformat())
        key = new_idempotency_key()  # one per attempted booking: a retry of it cannot book twice
        while True:
            try:
                added = self.call(partial(self.client.add, name, room, nights, check_in, idempotency_key=key))
            except ConflictError as exc:
                self.say(f"Not booked: {exc.message}.")
                change = self.ask("Change the (d)ates, the (r)oom, or (c)ancel?", parse_dqc, default="d")
                if change == "c":
                    raise Cancelled from None
                if change == "r":
                    room = self.ask("Room number", parse_room, default=str(room))
                else:
                    nights = self.ask("Nights", parse_nights, default=str(nights))
                    check_in = self.ask("Check-in date", parse_check_in, default=check_in.isoformat())
                key = new_idempotency_key()
                continue
            except InvalidRequestError as exc:
                self.say(f"Not booked: {exc.message}.")
                if exc.field == "guest_name":
                    name = self.ask("Guest name", parse_name, default=name)
                elif exc.field == "room_number":
                    room = self.ask("Room number", parse_room, default=str(room))
                elif exc.field == "nights":
                    nights = self.ask("Nights", parse_nights, default=str(nights))
                elif exc.field == "check_in":
                    check_in = self.ask("Check-in date", parse_check_in, default=check_in.isoformat())
                else:
                    raise Cancelled from None
                key = new_idempotency_key()
                continue
            self.say(f"Booked: {describe(added)}.")
            self.say(f"The reservation ID is {added.reservation_id}.")
            return

    def list(self) -> None:
        self.show_pages(title="Reservations")

    def show_pages(self, *, title: str) -> int:
        """Prints the list a page at a time, asking before the next; returns how many were shown."""
        shown = 0
        cursor: str | None = None
        while True:
            page = self.call(partial(self.client.page, cursor=cursor, limit=PAGE_SIZE))
            if not page.items and shown == 0:
                self.say("No reservations yet.")
                return 0
            first = shown + 1
            shown += len(page.items)
            self.out.print(table(page.items, title=f"{title} {first}-{shown}, by check-in date"))
            if not page.next_cursor:
                return shown
            more = self.read("Press Enter for more, or q to stop: ").strip().lower()
            if more in ("q", "quit"):
                return shown
            cursor = page.next_cursor

    def delete(self) -> None:
        if self.show_pages(title="Reservations") == 0:
            return
        rid = self.ask("ID of the reservation to delete", number_parser("reservation ID", 1, 2**53 - 1))
        try:
            found = self.call(lambda: self.client.get(rid))
        except NotFoundError:
            self.say(f"There is no reservation {rid}.")
            return
        if not self.yes_no(f"Delete {describe(found)}?", default=False):
            self.say("Not deleted.")
            return
        try:
            self.call(lambda: self.client.delete(rid))
        except NotFoundError:
            self.say(f"There is no reservation {rid} any more.")
            return
        self.say(f"Deleted reservation {rid}.")

    def switch(self) -> None:
        names = config.profile_names()
        for number, name in enumerate(names, start=1):
            try:
                p = config.load_profile(name)
                line = f"{p.customer} at {p.url} (key {mask_key(p.api_key)})"
            except ConfigError as exc:
                line = f"unusable: {exc}"
            current = " (current)" if name == self.profile_name else ""
            self.say(f"  {number}. {name}: {line}{current}")
        self.say("  n. Enter a server, customer and key")
        choice = self.read("Profile number, or n: ").strip().lower()
        if choice == "n":
            profile = Profile(
                url=self.ask("Server URL", parse_url, default=self.profile.url),
                customer=self.ask("Customer", parse_required),
                api_key=self.ask_secret("API key"),
            )
            if not self.accepted(profile):
                return
            save_as = self.read("Save as profile named (Enter: use for this session only): ").strip()
            if save_as:
                path = config.save_profile(save_as, profile)
                self.say(f"Saved profile {save_as!r} in {path}.")
            self.use(profile, save_as or None)
            return
        if not (choice.isdigit() and 1 <= int(choice) <= len(names)):
            self.say("No such profile; nothing changed.")
            return
        name = names[int(choice) - 1]
        try:
            self.use(config.load_profile(name), name)
        except ConfigError as exc:
            self.say(str(exc))

    def accepted(self, profile: Profile) -> bool:
        """Tries a typed-in key before switching to it: a typo is caught here, not at the next add."""
        try:
            with self._connect(profile) as client:
                client.page(limit=1)
        except AuthError as exc:
            self.say(f"Not switched: {exc.message}")
            return False
        except ClientError as exc:
            self.say(f"Warning: could not try it yet: {exc.message}")
        return True

    def use(self, profile: Profile, name: str | None) -> None:
        self.client.close()
        self.profile, self.profile_name = profile, name
        self.client = self._connect(profile)
        self.say(f"Now customer {profile.customer} at {profile.url}.")

    def ask_secret(self, label: str) -> str:
        import getpass

        while True:
            text = (self.read(f"{label}: ") if self.scripted else getpass.getpass(f"{label}: ")).strip()
            if text:
                return text
            self.say(f"  The {label} is required. Please try again.")


def main(conn: Connection) -> int:
    resolved = conn.resolve()
    return Menu(resolved.profile, resolved.profile_name).run()
