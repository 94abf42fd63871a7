"""The local day or hour of a UTC timestamp, computed in SQL alike on SQLite and PostgreSQL.

A report groups thousands of rows by local day; doing it in Python means fetching every row. So
the database computes, per row, the *local* wall-clock time as whole seconds since 1970
(``epoch_seconds`` plus the zone's offset at that instant) and divides: by 86,400 for the day
number, by 3,600 for the hour number. The offsets over the report's range — one, or two or three
across a daylight-saving change — are found here with ``zoneinfo`` and written into the SQL as a
CASE over the instants they change, so both backends bucket alike with plain integer arithmetic
(cheaper than a time-zone function per row; SQLite has none). A day boundary falls exactly at local
midnight; ``as_date`` and ``as_hour`` turn the numbers back into a date and a wall-clock hour.

Group by the expression's *label* (``group_by("day")``): a DST change adds bound timestamps to the
CASE, and on PostgreSQL an expression repeated with its own parameters is not the "same" one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case
from sqlalchemy.ext.asyncio import AsyncSession

from server.reports.epoch import epoch_seconds, seconds
from server.reports.range_scope import RangeScope

_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1)  # naive: the numbers count local wall-clock time


def offset_periods(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offset over ``[start, end)`` as ``(until, minutes east of UTC)``, the last with
    ``until=None``. Offsets change at most a few times a year, on whole seconds: a day-by-day walk
    finds the days they change on and a bisection the instant."""
    periods: list[tuple[datetime | None, int]] = []
    at = start
    current = _minutes(zone, at)
    while at < end:
        following = min(at + _DAY, end)
        if _minutes(zone, following) != current:
            low, high = at, following  # offset(low) == current != offset(high)
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _minutes(zone, middle) == current else (low, middle)
            change = high.replace(microsecond=0)
            periods.append((change, current))
            current = _minutes(zone, change)
        at = following
    periods.append((None, current))
    return periods


def _minutes(zone: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def local_seconds(column: Any, scope: RangeScope) -> ColumnElement[int]:
    """Seconds since 1970 of ``column``'s local wall-clock time (the UTC instant plus the offset in
    force then), for rows inside the scope's range."""
    *changes, (_, last) = offset_periods(scope.zone, scope.start, scope.end)
    if not changes:
        return epoch_seconds(column) + seconds(last * 60)
    offset = case(*((column < until, seconds(m * 60)) for until, m in changes), else_=seconds(last * 60))
    return epoch_seconds(column) + offset


def local_day(session: AsyncSession, column: Any, scope: RangeScope) -> ColumnElement[int]:
    """The local calendar day of ``column`` (a UTC timestamp) in the scope's zone, as a day number;
    read with ``as_date``. (``session`` is unused: both backends take the same SQL.)"""
    return local_seconds(column, scope) // seconds(86_400)


def local_hour(session: AsyncSession, column: Any, scope: RangeScope) -> ColumnElement[int]:
    """The local clock hour of ``column`` as an hour number (hours since 1970, wall clock); read
    with ``as_hour``. Its day is ``hour // 24`` (``day_of_hour``)."""
    return local_seconds(column, scope) // seconds(3_600)


def day_of_hour(hour: ColumnElement[int]) -> ColumnElement[int]:
    """The day number of a ``local_hour`` number (whole hours: a local day has them all)."""
    return hour // seconds(24)


def as_date(value: int | date | str) -> date:
    """A ``local_day`` value as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    return (_EPOCH + timedelta(days=int(value))).date()


def as_hour(value: int) -> datetime:
    """A ``local_hour`` value as a naive local wall-clock time (the hour's start)."""
    return _EPOCH + timedelta(hours=int(value))


def elapsed_days(scope: RangeScope) -> float:
    """How many days of the range have passed by ``scope.now`` (a range ending today counts today
    only up to now): the divisor of a rate per day."""
    end = min(scope.end, scope.now.astimezone(UTC))
    return max(0.0, (end - scope.start).total_seconds() / 86400)
