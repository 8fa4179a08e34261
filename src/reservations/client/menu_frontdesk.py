"""The menu's front-desk actions: "Change a reservation" and "Find a free room".

Apart from ``menu.py`` to keep each module readable; they use the menu's own prompts, so a bad
answer is re-asked with the reason and a refusal becomes a next step, as in the original actions.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from reservations.client.answers import (
    Cancelled,
    Invalid,
    number_parser,
    parse_check_in,
    parse_dqc,
    parse_name,
    parse_nights,
    parse_room,
)
from reservations.client.errors import ConflictError, InvalidRequestError, NotFoundError
from reservations.client.frontdesk import compact
from reservations.client.library import new_idempotency_key
from reservations.client.render import describe
from reservations.domain.parsing import MAX_RESERVATION_ID
from reservations.domain.reservation import Reservation

if TYPE_CHECKING:
    from collections.abc import Callable

    from reservations.client.menu import Menu


def _check_in_parser(current: date) -> Callable[[str], date]:
    """The check-in rule for a new date; the stay's own date is kept even once it has passed."""

    def parse(text: str) -> date:
        return current if text.strip() == current.isoformat() else parse_check_in(text)

    return parse


def change(menu: Menu) -> None:
    """Changes a reservation, asking each value with the current one as default.

    Long because it is one conversation: after a refusal (a night taken, a value refused) it asks
    again only for what the server named, keeping the four answers given so far; split, those
    answers would travel between the pieces as a mutable record."""
    if menu.show_pages(title="Reservations") == 0:
        return
    rid = menu.ask("ID of the reservation to change", number_parser("reservation ID", 1, MAX_RESERVATION_ID))
    try:
        current = menu.call(lambda: menu.client.get(rid))
    except NotFoundError:
        menu.say(f"There is no reservation {rid}.")
        return
    menu.say(f"Changing {describe(current)}. Press Enter to keep a value.")
    name = menu.ask("Guest name", parse_name, default=current.guest_name)
    room = menu.ask("Room number", parse_room, default=str(current.room_number))
    check_in = menu.ask(
        "Check-in date", _check_in_parser(current.check_in), default=current.check_in.isoformat()
    )
    nights = menu.ask("Nights", parse_nights, default=str(current.nights))
    while True:
        wanted = Reservation(rid, name, room, nights, check_in, current.created_at)
        if wanted == current:
            menu.say("Nothing to change.")
            return
        try:
            changed = menu.call(
                partial(
                    menu.client.change,
                    rid,
                    guest_name=name if name != current.guest_name else None,
                    room_number=room if room != current.room_number else None,
                    nights=nights if nights != current.nights else None,
                    check_in=check_in if check_in != current.check_in else None,
                )
            )
        except NotFoundError:
            menu.say(f"There is no reservation {rid} any more.")
            return
        except ConflictError as exc:
            menu.say(f"Not changed: {exc.message}.")
            choice = menu.ask("Change the (d)ates, the (r)oom, or (c)ancel?", parse_dqc, default="r")
            if choice == "c":
                raise Cancelled from None
            if choice == "r":
                room = menu.ask("Room number", parse_room, default=str(room))
            else:
                check_in = menu.ask(
                    "Check-in date", _check_in_parser(current.check_in), default=check_in.isoformat()
                )
                nights = menu.ask("Nights", parse_nights, default=str(nights))
            continue
        except InvalidRequestError as exc:
            menu.say(f"Not changed: {exc.message}.")
            if exc.field == "guest_name":
                name = menu.ask("Guest name", parse_name, default=name)
            elif exc.field == "room_number":
                room = menu.ask("Room number", parse_room, default=str(room))
            elif exc.field == "nights":
                nights = menu.ask("Nights", parse_nights, default=str(nights))
            elif exc.field == "check_in":
                check_in = menu.ask(
                    "Check-in date", _check_in_parser(current.check_in), default=check_in.isoformat()
                )
            else:
                raise Cancelled from None
            continue
        menu.say(f"Changed: {describe(changed)}.")
        menu.say(f"The reservation ID is still {changed.reservation_id}.")
        return


def find_free_room(menu: Menu) -> None:
    check_in = menu.ask("Check-in date", parse_check_in, default=date.today().isoformat())
    nights = menu.ask("Nights", parse_nights)
    try:
        free = menu.call(lambda: menu.client.availability(check_in, nights))
    except ConflictError as exc:  # 409 no_rooms: nothing to look through yet
        menu.say(f"{exc.message}.")
        menu.say("Rooms are added with: reservations rooms add 101-110 201")
        return
    stay = f"from {check_in.isoformat()} for {nights} night{'s' if nights != 1 else ''}"
    if not free:
        menu.say(f"No room is free {stay}.")
        return
    menu.say(f"Free {stay}: {compact(free)}")
    if not menu.yes_no("Book one of them?", default=False):
        return

    def free_room(text: str) -> int:
        text = text.strip()
        if not text.isdigit() or int(text) not in free:
            raise Invalid(f"Please choose one of the free rooms: {compact(free)}")
        return int(text)

    room = menu.ask("Room number", free_room, default=str(free[0]))
    name = menu.ask("Guest name", parse_name)
    key = new_idempotency_key()
    try:
        added = menu.call(partial(menu.client.add, name, room, nights, check_in, idempotency_key=key))
    except ConflictError as exc:
        menu.say(f"Not booked: {exc.message} (someone was quicker). Choose 7 to look again.")
        return
    menu.say(f"Booked: {describe(added)}.")
    menu.say(f"The reservation ID is {added.reservation_id}.")
