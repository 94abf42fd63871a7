"""The filters every manager report takes: a range of local days, a warehouse, a platform, a shop.

Days follow the warehouse's time zone (as the "today" page does); the range is turned once into a
half-open UTC interval so every query compares plain timestamps an index can serve, and into the
list of local days a chart by day needs (a day with nothing still gets its empty bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import ValidationFailed
from server.reports.envelope import ReportFilters
from server.reports.scope import report_scope

DEFAULT_DAYS = 7
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class RangeScope:
    warehouse_id: int | None
    warehouse_ids: frozenset[int] | None
    """``None``: the caller sees every warehouse, no filter at all."""
    zone: ZoneInfo
    date_from: date
    date_to: date
    """Inclusive."""
    start: datetime
    end: datetime
    """``[start, end)`` in UTC: local midnight of ``date_from`` to local midnight after ``date_to``."""
    platform: str | None
    channel_id: int | None
    now: datetime

    @property
    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=n) for n in range((self.date_to - self.date_from).days + 1)]

    def day_of(self, moment: datetime) -> date:
        """The local day a UTC timestamp falls on (naive values from SQLite are UTC)."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).date()

    def only(self, column: Any) -> ColumnElement[bool]:
        """Rows of the scope's warehouses (``column`` holds a warehouse id)."""
        if self.warehouse_ids is None:
            return true()
        return column.in_(sorted(self.warehouse_ids))  # type: ignore[no-any-return]

    @property
    def ids(self) -> list[int] | None:
        return None if self.warehouse_ids is None else sorted(self.warehouse_ids)

    def filters(self) -> ReportFilters:
        return ReportFilters(
            date_from=self.date_from,
            date_to=self.date_to,
            timezone=self.zone.key,
            warehouse_id=self.warehouse_id,
            platform=self.platform,
            channel_id=self.channel_id,
        )


def _invalid(message: str, message_zh: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, message_zh=message_zh, field=field)


async def range_scope(
    session: AsyncSession,
    user: AuthUser,
    *,
    now: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
    warehouse_id: int | None = None,
    platform: str | None = None,
    channel_id: int | None = None,
) -> RangeScope:
    """The scope of a report asked for by ``user``: the last 7 local days by default; 403 outside the
    user's warehouses, 404 for an unknown one, 400 for a reversed or longer-than-a-year range."""
    base = await report_scope(session, user, warehouse_id, now)
    zone = base.day.zone
    today = base.day.date
    last = date_to or today
    first = date_from or (last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise _invalid("date_from is after date_to", "开始日期晚于结束日期", "date_from")
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid(f"a report covers at most {MAX_DAYS} days", f"报表最多覆盖 {MAX_DAYS} 天", "date_from")
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return RangeScope(
        warehouse_id=warehouse_id,
        warehouse_ids=base.warehouse_ids,
        zone=zone,
        date_from=first,
        date_to=last,
        start=start,
        end=end,
        platform=platform,
        channel_id=channel_id,
        now=now,
    )
