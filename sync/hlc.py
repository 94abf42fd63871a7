"""Hybrid logical clock stamps (SPEC.md §4.3).

A stamp is ``<ms since epoch, 13 digits>-<counter, 4 hex>-<node id>``: string order is time order
for the next 280 years, it survives JSON untouched, and a person can read the time from it. Devices
keep ``l = max(physical, last l, received l)`` so stamps only go forward even when the phone's clock
jumps back; the counter orders events within one millisecond. The server trusts a stamp for ordering
events only while it is at most ``MAX_DRIFT`` ahead of the server's own clock (the Actual Budget rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

MAX_DRIFT = timedelta(minutes=5)
MAX_COUNTER = 0xFFFF
_STAMP = re.compile(r"^(\d{13})-([0-9a-f]{4})-([A-Za-z0-9_.:-]{1,64})$")


class InvalidStamp(ValueError):
    """The text is not an HLC stamp of SPEC.md §4.3."""


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    millis: int
    counter: int
    node: str

    @classmethod
    def parse(cls, text: str) -> Stamp:
        match = _STAMP.match(text)
        if match is None:
            msg = f"not an HLC stamp: {text[:80]!r} (expected <13-digit ms>-<4 hex>-<node>)"
            raise InvalidStamp(msg)
        return cls(int(match[1]), int(match[2], 16), match[3])

    def format(self) -> str:
        return f"{self.millis:013d}-{self.counter:04x}-{self.node}"

    @property
    def time(self) -> datetime:
        """The physical time, with the counter as microseconds (up to 999) so that two events of
        one device in the same millisecond keep their order as event times."""
        return datetime.fromtimestamp(self.millis // 1000, UTC) + timedelta(
            milliseconds=self.millis % 1000, microseconds=min(self.counter, 999)
        )


class Clock:
    """One node's HLC. Not thread-safe; one per device (or per server process)."""

    def __init__(self, node: str, last: Stamp | None = None) -> None:
        self.node = node
        self.last = last or Stamp(0, 0, node)

    def now(self, physical: datetime | None = None) -> Stamp:
        """A stamp for a local event, later than every stamp this clock issued or received."""
        wall = _millis(physical or datetime.now(UTC))
        if wall > self.last.millis:
            self.last = Stamp(wall, 0, self.node)
        else:
            self.last = _bump(self.last.millis, self.last.counter, self.node)
        return self.last

    def receive(self, remote: Stamp, physical: datetime | None = None) -> Stamp:
        """Merge a stamp seen from another node (SPEC.md §4.3 rule 2)."""
        wall = _millis(physical or datetime.now(UTC))
        top = max(wall, self.last.millis, remote.millis)
        if top == self.last.millis == remote.millis:
            counter = max(self.last.counter, remote.counter)
        elif top == self.last.millis:
            counter = self.last.counter
        elif top == remote.millis:
            counter = remote.counter
        else:
            self.last = Stamp(top, 0, self.node)
            return self.last
        self.last = _bump(top, counter, self.node)
        return self.last


def _bump(millis: int, counter: int, node: str) -> Stamp:
    if counter >= MAX_COUNTER:  # 65,536 events in one millisecond: borrow the next one
        return Stamp(millis + 1, 0, node)
    return Stamp(millis, counter + 1, node)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def is_ahead(stamp: Stamp, server_now: datetime) -> bool:
    """True when the stamp is further in the future than clocks may drift (SPEC.md §4.3 rule 4)."""
    return stamp.time - server_now > MAX_DRIFT


class ClockFlag(StrEnum):
    """Why a stamp was not trusted for ordering (SPEC.md §4.3 rules 4 and 5)."""

    ahead = "clock_ahead"
    """More than ``MAX_DRIFT`` ahead of the server: the phone's clock is wrong."""
    behind = "clock_behind"
    """Before the device's previous trusted stamp, or before the device existed: its HLC state was
    lost (site data cleared) or its clock was reset (a reboot to 1970)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an op sits in time for ordering it against other events."""

    event_time: datetime
    flag: ClockFlag | None

    @property
    def trusted(self) -> bool:
        return self.flag is None


def event_time(stamp: Stamp, received_at: datetime, *, floor: datetime | None = None) -> Placement:
    """When the event happened for ordering against other events, and whether the stamp was distrusted.

    A stamp too far ahead is placed at the time the server received it (an upper bound on when it
    can have happened). A stamp below ``floor`` — the device's last trusted stamp, or its
    registration — is placed at the floor (the lower bound: it happened after the device's previous
    event). Either way the op is flagged for a person, never silently reordered.
    """
    if is_ahead(stamp, received_at):
        return Placement(received_at, ClockFlag.ahead)
    if floor is not None and stamp.time < floor:
        return Placement(min(floor, received_at), ClockFlag.behind)
    return Placement(min(stamp.time, received_at), None)
