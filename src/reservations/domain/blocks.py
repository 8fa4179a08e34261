"""Blocks: nights of a room held by a channel (Booking.com, Airbnb...) through its calendar feed.

Pure Python, no I/O (like the rest of ``domain``).  A block claims its room-nights with the same
guard as a reservation (the nights table's key in SQLite, the night items in DynamoDB), so a block
and a stay can never share a night.  In the guard a block's nights name ``-block_id``: holder ids
below zero are blocks, above zero reservations, so every existing reader of the guard keeps its
meaning and only the code that names a holder has to tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from reservations.domain.errors import ConflictError, ReservationsError

BLOCK_NIGHTS_MAX = 30  # one block is one transaction: longer events are held as several blocks


def source_host(source: str) -> str:
    """What a person is shown of a feed: its host name (feed URLs often carry a secret token)."""
    return urlsplit(source).hostname or source


@dataclass(frozen=True)
class NewBlock:
    room_number: int
    check_in: date
    check_out: date
    source: str  # the feed URL the block came from
    uid: str  # the event's UID in that feed

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def stay_nights(self) -> list[date]:
        return [self.check_in + timedelta(days=i) for i in range(self.nights)]

    def key(self) -> tuple[str, str, int, date, date]:
        """What the sync compares: the same event on the same nights is the same block."""
        return (self.source, self.uid, self.room_number, self.check_in, self.check_out)


@dataclass(frozen=True)
class Block(NewBlock):
    block_id: int = 0

    @classmethod
    def from_new(cls, block_id: int, new: NewBlock) -> Block:
        return cls(new.room_number, new.check_in, new.check_out, new.source, new.uid, block_id)

    def holds(self, room_number: int, night: date) -> bool:
        return self.room_number == room_number and self.check_in <= night < self.check_out

    def to_json(self) -> dict[str, Any]:
        """No feed URL (it may carry the channel's secret): its host name says where it came from."""
        return {
            "block_id": self.block_id,
            "room_number": self.room_number,
            "check_in": self.check_in.isoformat(),
            "check_out": self.check_out.isoformat(),
            "source": source_host(self.source),
        }


def guard_id(block_id: int) -> int:
    """The holder id a block's nights carry in the double-booking guard."""
    return -block_id


class ConflictingBlockError(ConflictError):
    """A night asked for is held by a channel's block: a 409 like any taken night, naming the block."""

    def __init__(self, room_number: int, night: date, block: Block | None) -> None:
        ReservationsError.__init__(
            self,
            f"Room {room_number} is held on {night.isoformat()} by a channel calendar"
            + (f" ({source_host(block.source)})" if block is not None else ""),
            field="room_number",
        )
        self.room_number = room_number
        self.night = night
        self.holder = None
        self.block = block

    def details(self) -> dict[str, Any] | None:
        if self.block is None:
            return None
        return {
            "source": source_host(self.block.source),
            "check_in": self.block.check_in.isoformat(),
            "check_out": self.block.check_out.isoformat(),
        }
