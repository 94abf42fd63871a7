"""Quiet hours: a window of local wall time, possibly across midnight (22:00-07:00), in which only
critical notifications reach a person's phones. The rest wait and go out as one summary after."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(text: str) -> time | None:
    match = HHMM.match(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def in_quiet_hours(start: str | None, end: str | None, zone: str, now: datetime) -> bool:
    """Whether ``now`` falls in [start, end) local time. No window (or an empty one) is never quiet."""
    if not start or not end:
        return False
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin is None or finish is None or begin == finish:
        return False
    local = now.astimezone(ZoneInfo(zone) if valid_zone(zone) else ZoneInfo("Asia/Shanghai")).time()
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish
