"""The menu's "Channel calendars" for a room: its feed for the channels, what it imports, the last sync.

Kept apart from ``menu`` (which is already long); it uses the menu's prompts and the library only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reservations.channels.calendar import MAX_IMPORTS

if TYPE_CHECKING:
    from reservations.client.menu import Menu


def _imports(text: str) -> list[str]:
    from reservations.client.answers import Invalid

    urls = [part.strip() for part in text.replace(",", " ").split() if part.strip()]
    if len(urls) > MAX_IMPORTS:
        raise Invalid(f"At most {MAX_IMPORTS} calendars per room.")
    if any("://" not in url for url in urls):
        raise Invalid("Please enter calendar URLs (https://...), separated by spaces or commas.")
    return urls


def _feed_line(feed: dict[str, Any]) -> str:
    if not feed.get("synced_at"):
        return f"  {feed['url']}: not synced yet"
    line = f"  {feed['url']}: synced {feed['synced_at']}, {feed.get('events', 0)} events"
    conflicts = feed.get("conflicts") or []
    if conflicts:
        line += f", {len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}"
    if feed.get("error"):
        line += f"; error: {feed['error']}"
    return line


def channel_calendars(menu: Menu) -> None:
    from reservations.client.answers import number_parser

    room = menu.ask("Room number", number_parser("room number", 1, 99_999))
    info = menu.call(lambda: menu.client.room_calendar(room))
    menu.say(f"Room {room}'s calendar, to give to Booking.com, Airbnb and other channels:")
    menu.say(f"  {info.get('calendar_url') or 'none yet (choose a new URL below)'}")
    feeds = info.get("feeds") or []
    menu.say("Calendars it imports:" if feeds else "It imports no channel calendar.")
    for feed in feeds:
        menu.say(_feed_line(feed))
        for conflict in feed.get("conflicts") or []:
            menu.say(f"    conflict {conflict['check_in']} to {conflict['check_out']}: {conflict['reason']}")
    for block in info.get("blocks") or []:
        menu.say(f"Held by {block['source']}: {block['check_in']} to {block['check_out']}")
    if menu.yes_no("Change the calendars it imports?", default=False):
        current = " ".join(feed["url"] for feed in feeds)
        urls = menu.ask("Calendar URLs (spaces between; empty for none)", _imports, default=current or None)
        menu.call(lambda: menu.client.set_import_calendars(room, urls))
        menu.say(
            f"Room {room} imports {len(urls)} calendar{'s' if len(urls) != 1 else ''}; the next sync reads them."
        )
    if menu.yes_no("Give its calendar a new URL (the old one stops working)?", default=False):
        url = menu.call(lambda: menu.client.new_calendar_url(room))
        menu.say(f"New calendar URL: {url}")
