"""Which warehouses and which business day a report covers.

Business days follow the warehouse's time zone (house rules); a report over several warehouses
uses the one zone they share, or Asia/Shanghai — where the merchants are — when they differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import NotFound
from server.warehouse.models import Warehouse

DEFAULT_ZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class BusinessDay:
    """One local calendar day as a half-open UTC interval ``[start, end)`` (23 or 25 h across DST)."""

    date: date
    zone: ZoneInfo
    start: datetime
    end: datetime

    def hours(self) -> Iterator[tuple[int, datetime, datetime]]:
        """(local hour, UTC start, UTC end) for each hour of the day, in order."""
        at = self.start
        while at < self.end:
            following = min(at + timedelta(hours=1), self.end)
            yield at.astimezone(self.zone).hour, at, following
            at = following


def business_day(now: datetime, zone: ZoneInfo) -> BusinessDay:
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(local + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return BusinessDay(date=local, zone=zone, start=start, end=end)


@dataclass(frozen=True, slots=True)
class ReportScope:
    warehouse_id: int | None
    """The warehouse asked for; ``None`` for every warehouse the user may see."""
    warehouse_ids: frozenset[int] | None
    """``None``: no warehouse filter at all (the user sees every warehouse)."""
    day: BusinessDay
    now: datetime

    def only(self, column: Any) -> ColumnElement[bool]:
        """A filter keeping rows of the scope's warehouses (``column`` holds a warehouse id)."""
        if self.warehouse_ids is None:
            return true()
        return column.in_(sorted(self.warehouse_ids))  # type: ignore[no-any-return]

    def orders(self, column: Any) -> ColumnElement[bool]:
        """Orders of the scope: those routed to its warehouses, and those not routed anywhere yet
        (paid, held in review), which any warehouse may end up shipping."""
        if self.warehouse_ids is None:
            return true()
        return or_(column.is_(None), self.only(column))

    @property
    def ids(self) -> list[int] | None:
        return None if self.warehouse_ids is None else sorted(self.warehouse_ids)


async def report_scope(session: AsyncSession, user: AuthUser, warehouse_id: int | None, now: datetime) -> ReportScope:
    """The scope of a report asked for by ``user``: 403 outside the user's warehouses, 404 for none."""
    if warehouse_id is not None:
        user.require_warehouse(warehouse_id)
        zone_name = await session.scalar(select(Warehouse.timezone).where(Warehouse.id == warehouse_id))
        if zone_name is None:
            raise NotFound(f"no warehouse {warehouse_id}", message_zh="仓库不存在", field="warehouse_id")
        ids: frozenset[int] | None = frozenset({warehouse_id})
        zones = {zone_name}
    else:
        ids = user.visible_warehouses()
        statement = select(Warehouse.timezone).distinct()
        if ids is not None:
            statement = statement.where(Warehouse.id.in_(sorted(ids)))
        zones = set(await session.scalars(statement))
    zone = ZoneInfo(zones.pop() if len(zones) == 1 else DEFAULT_ZONE)
    return ReportScope(warehouse_id=warehouse_id, warehouse_ids=ids, day=business_day(now, zone), now=now)
