"""The menu's questions' answers: each parser turns what was typed into a value or raises ``Invalid``
with the sentence the menu shows before asking again.

Apart from ``menu.py`` so the menu's dialogs (``menu.py``, ``menu_frontdesk.py``) share them without
importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from reservations.domain.errors import ValidationError
from reservations.domain.parsing import (
    MAX_DAYS_AHEAD,
    MAX_DAYS_BEHIND,
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    parse_guest_name,
    today_utc,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Invalid(Exception):
    """An answer that cannot be used; the message says why, and the question is asked again."""


class Cancelled(Exception):
    """The user backed out of the current action."""


class InputEnded(Exception):
    """A script's input ran out in the middle of a dialog: the action was not done, and the script
    must hear so (a non-zero exit), not read "Goodbye" as success."""

    def __init__(self, prompt: str) -> None:
        super().__init__(prompt)
        self.question = prompt.split(" [", 1)[0].strip().rstrip(":?").strip()


def parse_name(text: str) -> str:
    try:
        return parse_guest_name(text)
    except ValidationError as exc:
        raise Invalid(exc.message.replace("guest_name", "The guest name")) from None


def number_parser(what: str, low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        text = text.strip()
        if not text:
            raise Invalid(f"Please enter the {what}")
        if re.fullmatch(r"[+-][0-9]+", text):  # a sign: a number, just not one in range
            raise Invalid(f"The {what} must be between {low} and {high}")
        if not text.isascii() or not text.isdigit():
            raise Invalid(f"The {what} must be a whole number, and {text!r} is not one")
        # Compare lengths first: int() of a thousand-digit answer is slow, and it is out of range anyway.
        if len(text.lstrip("0")) > len(str(high)) or not low <= int(text) <= high:
            raise Invalid(f"The {what} must be between {low} and {high}")
        return int(text)

    return parse


parse_room = number_parser("room number", ROOM_MIN, ROOM_MAX)
parse_nights = number_parser("number of nights", NIGHTS_MIN, NIGHTS_MAX)


def parse_check_in(text: str, *, today: date | None = None) -> date:
    """The server's rule (from yesterday UTC to two years ahead), checked before asking it."""
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise Invalid(f"Please enter the date as YYYY-MM-DD (e.g. {date.today().isoformat()})")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{text} is not a calendar date") from None
    today = today or today_utc()
    if day < today - timedelta(days=MAX_DAYS_BEHIND):
        raise Invalid(f"The check-in date {day.isoformat()} is in the past")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid("The check-in date must be at most two years ahead")
    return day


def parse_dqc(text: str) -> str:
    choice = text.strip().lower()[:1]
    if choice not in ("d", "r", "c"):
        raise Invalid("Please answer d, r or c")
    return choice


def parse_url(text: str) -> str:
    text = text.strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise Invalid("The URL must start with http:// or https://")
    return text


def parse_required(text: str) -> str:
    if not text.strip():
        raise Invalid("An answer is required")
    return text.strip()
