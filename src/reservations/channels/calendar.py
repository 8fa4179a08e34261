"""A room's channel calendars: its export feed's token, the feeds it imports, their last sync.

Pure Python, no I/O.  The token is a capability URL: channels cannot send an API key, so whoever
holds the URL may read the room's taken nights (never a guest's name).  It is kept in the
customer's own table as it is, not hashed, because ``GET /rooms`` must show the URL to the
customer again and again; it is a per-room secret of that table, encrypted at rest with it, and
rotating it (``POST /rooms/{room_number}/calendar-token``) kills the old URL at once.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from reservations.domain.errors import NotFoundError, ValidationError

MAX_IMPORTS = 5
MAX_URL_LENGTH = 2000
# RFC 3986's characters for an http(s) URL, part by part: what the OpenAPI document's ``format: uri``
# means, so the server refuses what the document calls invalid (a space, a bare '%', a non-ASCII
# letter: a channel's real feed URL is always percent-encoded ASCII).
_UNRESERVED, _ESCAPED, _SUB_DELIMS = r"A-Za-z0-9\-._~", r"%[0-9A-Fa-f]{2}", r"!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_ESCAPED})"
_URL_RE = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.-]*://"
    rf"(?:\[[0-9A-Fa-f:.]+\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_ESCAPED})*)(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?",
    re.ASCII,
)
_TOKEN_RE = re.compile(r"([a-z0-9][a-z0-9-]{1,39})\.([0-9]{1,5})\.([A-Za-z0-9_-]{32,64})", re.ASCII)


def new_token(customer: str, room_number: int) -> str:
    """``<customer>.<room>.<secret>``: names where to look (one read), the secret proves the right."""
    return f"{customer}.{room_number}.{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class FeedAddress:
    customer: str
    room_number: int
    token: str


def parse_token(token: str) -> FeedAddress:
    """Any text that is not a token of ours is a feed that does not exist (404, never a 400)."""
    match = _TOKEN_RE.fullmatch(token)
    if match is None:
        raise NotFoundError("no such calendar")
    return FeedAddress(match[1], int(match[2]), token)


def same_token(given: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(given.encode(), stored.encode())


@dataclass(frozen=True)
class RoomCalendar:
    room_number: int
    token: str | None = None
    imports: tuple[str, ...] = ()
    status: Mapping[str, Any] = field(default_factory=dict)  # feed URL -> its last sync


@dataclass(frozen=True)
class CalendarUpdate:
    """What a write changes of a room's calendar; ``None`` leaves a part as it is."""

    token: str | None = None
    token_if_absent: bool = False  # keep a token already there (a room's first token)
    imports: tuple[str, ...] | None = None
    status: Mapping[str, Any] | None = None


def parse_imports(value: Any, *, allow_local: bool) -> tuple[str, ...]:
    """``import_calendars``: at most five https URLs; http and loopback only for a local server."""
    if not isinstance(value, list):
        raise ValidationError("import_calendars must be a list of URLs", field="import_calendars")
    if len(value) > MAX_IMPORTS:
        raise ValidationError(f"import_calendars takes at most {MAX_IMPORTS} URLs", field="import_calendars")
    urls: list[str] = []
    for each in value:
        url = check_feed_url(each, allow_local=allow_local)
        if url not in urls:
            urls.append(url)
    return tuple(urls)


def check_feed_url(value: Any, *, allow_local: bool) -> str:
    field_name = "import_calendars"
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_LENGTH:
        raise ValidationError(
            f"each calendar must be a URL of at most {MAX_URL_LENGTH} characters", field=field_name
        )
    url = value
    if not _URL_RE.fullmatch(url):
        raise ValidationError(
            f"{url[:100]!r} is not a URL (RFC 3986: no spaces; other characters percent-encoded)",
            field=field_name,
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        if host and ":" in host:  # a bracketed literal must be an IPv6 address
            ipaddress.IPv6Address(host)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValidationError(f"{url[:100]!r} is not a URL", field=field_name) from None
    schemes = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in schemes or not host:
        raise ValidationError(
            f"calendar URLs must start with {' or '.join(s + '://' for s in schemes)}", field=field_name
        )
    if parts.username or parts.password:
        raise ValidationError("calendar URLs must not carry a user name or password", field=field_name)
    if not allow_local and not _public_host(host):
        raise ValidationError(f"{host} is not a public address", field=field_name)
    return url


def _public_host(host: str) -> bool:
    """A literal address must be public; a name is judged again on every fetch, once resolved."""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True
