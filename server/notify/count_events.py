"""A count held for approval (ADR-0013) as a ``count_variance`` notification to the warehouse's
supervisors, queued by ``count_variances.hold_for_approval`` in the count op's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.notify.models import PushNotification
from server.notify.outbox import Audience, queue_notification
from server.notify.rule_kinds import RuleKind
from server.notify.rules import rule_for
from server.warehouse.count_models import BinCount, CountVariance
from server.warehouse.models import Location

KIND = "count_variance"
TTL = 12 * 3600


async def notify_count_variance(
    session: AsyncSession, variance: CountVariance, count: BinCount, *, now: datetime | None = None
) -> PushNotification | None:
    """Queue the notification unless the warehouse's rule is off; once per variance."""
    rule = await rule_for(session, RuleKind.count_variance, variance.warehouse_id)
    if not rule.enabled or not rule.roles:
        return None
    location = await session.get(Location, count.location_id)
    sku = await session.get(Sku, count.sku_id)
    bin_code = location.code if location is not None else str(count.location_id)
    sku_code = sku.code if sku is not None else str(count.sku_id)
    counted, books, change = count.counted_qty, variance.expected_qty, variance.variance
    return await queue_notification(
        session,
        kind=KIND,
        audience=Audience(roles=rule.roles, warehouse_id=variance.warehouse_id),
        title_en=f"Count awaiting approval: {sku_code}"[:100],
        title_zh=f"盘点差异待审批：{sku_code}"[:100],
        body_en=f"Bin {bin_code}: counted {counted}, books {books} ({change:+})",
        body_zh=f"库位 {bin_code}：实盘 {counted}，账面 {books}（差异 {change:+}）",
        url="/#/supervisor",
        urgency=rule.urgency,
        critical=rule.critical,
        ttl=TTL,
        dedupe_key=f"{KIND}:{variance.id}",
        now=now,
    )
