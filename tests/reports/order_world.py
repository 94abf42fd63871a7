"""Hand-made orders and parcels for the sales and fulfilment reports, with their figures worked out.

The clock is 14:00 in Shanghai on 2 December 2026; reports cover 28 November – 1 December (local),
i.e. 27 Nov 16:00 UTC to 1 Dec 16:00 UTC. Times below are Shanghai wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Role
from server.fulfilment.shipping.models import Shipment, ShipmentStatus
from server.orders.models import Channel, Order, OrderLine, OrderStatus
from server.orders.normalized import PlatformStatus, RefundState
from server.reports.envelope import Report
from server.reports.range_scope import RangeScope
from tests.factories import bearer, make_user, make_warehouse

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=SH).astimezone(UTC)
FIRST, LAST = date(2026, 11, 28), date(2026, 12, 1)
S = OrderStatus


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment of 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH).astimezone(UTC)


def scope(
    *,
    warehouse_ids: frozenset[int] | None = None,
    warehouse_id: int | None = None,
    platform: str | None = None,
    channel_id: int | None = None,
    first: date = FIRST,
    last: date = LAST,
    zone: ZoneInfo = SH,
    now: datetime = NOW,
) -> RangeScope:
    """The scope ``range_scope`` would build, without a user (the builders' own tests)."""
    return RangeScope(
        warehouse_id=warehouse_id,
        warehouse_ids=warehouse_ids,
        zone=zone,
        date_from=first,
        date_to=last,
        start=datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
        end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC),
        platform=platform,
        channel_id=channel_id,
        now=now,
    )


def tiles(report: Report) -> dict[str, Any]:
    return {tile.key: tile.value for tile in report.tiles}


def table(report: Report, key: str) -> list[dict[str, Any]]:
    """A table's rows as dicts by column key."""
    found = next(t for t in report.tables if t.key == key)
    return [dict(zip([c.key for c in found.columns], row, strict=True)) for row in found.rows]


@dataclass
class World:
    w1: int
    w2: int
    tb: int
    pdd: int
    jd: int
    admin: dict[str, str]
    manager: dict[str, str]
    """Sees warehouse 1 only."""
    picker: dict[str, str]
    """No ``orders.read``."""
    orders: dict[str, Order] = field(default_factory=dict)


async def base_world(s: AsyncSession) -> World:
    w1, w2 = await make_warehouse(s), await make_warehouse(s)
    tb = Channel(code="TB", name="天猫旗舰店", platform="taobao")
    pdd = Channel(code="PDD", name="拼多多店", platform="pdd")
    jd = Channel(code="JD", name="京东自营", platform="jd")
    s.add_all([tb, pdd, jd])
    await s.flush()
    _, admin = await make_user(s, [Role.admin], all_warehouses=True)
    _, manager = await make_user(s, [Role.manager], warehouses=[w1.warehouse])
    _, picker = await make_user(s, [Role.picker], warehouses=[w1.warehouse])
    return World(w1.warehouse.id, w2.warehouse.id, tb.id, pdd.id, jd.id, bearer(admin), bearer(manager), bearer(picker))


async def order(
    s: AsyncSession,
    world: World,
    number: str,
    channel: int,
    status: OrderStatus,
    *,
    paid: datetime | None,
    fen: int = 0,
    warehouse: int | None = None,
    ship_by: datetime | None = None,
    lines: list[tuple[int, RefundState]] | None = None,
    **extra: object,
) -> Order:
    """An order paying ``fen`` in all; ``lines``: (paid fen, refund state) each."""
    made = Order(
        channel_id=channel,
        platform_order_no=number,
        status=status,
        platform_status=PlatformStatus.paid if paid else PlatformStatus.pending_payment,
        ordered_at=(paid or NOW) - timedelta(minutes=1),
        paid_at=paid,
        paid_minor=fen,
        goods_minor=fen,
        warehouse_id=warehouse,
        ship_by=ship_by,
        **extra,
    )
    s.add(made)
    await s.flush()
    for n, (line_fen, refund) in enumerate(lines or [(fen, RefundState.none)], start=1):
        s.add(
            OrderLine(
                order_id=made.id,
                line_no=n,
                platform_line_id=str(n),
                sku_code=f"SKU-{n}",
                qty=1,
                unit_price_minor=line_fen,
                paid_minor=line_fen,
                refund=refund,
            )
        )
    world.orders[number] = made
    return made


async def parcel(s: AsyncSession, made: Order, at: datetime, *, no: int = 1, warehouse: int | None = None) -> None:
    where = warehouse or made.warehouse_id
    assert where is not None
    s.add(
        Shipment(
            order_id=made.id,
            parcel_no=no,
            warehouse_id=where,
            carrier_code="SF",
            waybill_no=f"SF{made.id:06d}{no}",
            status=ShipmentStatus.shipped,
            shipped_at=at,
        )
    )


async def sales_world(s: AsyncSession) -> World:
    """Paid in the range (GMV 49,700 fen, 9 orders; refunds 7,000 fen on 2 orders):

    | order | shop | paid (local)  | fen    | warehouse        | note                                |
    | S1    | TB   | 28 Nov 10:00  | 10,000 | 1                | host of S11                         |
    | S2    | TB   | 28 Nov 23:30  |  5,000 | 1                | late evening: still 28 Nov          |
    | S11   | TB   | 28 Nov 11:00  |  1,500 | (host's: 1)      | merged into S1                      |
    | S3    | PDD  | 29 Nov 00:10  |  8,000 | 2                | just after midnight: 29 Nov         |
    | S4    | PDD  | 30 Nov 09:00  |  3,000 | 1                | cancelled after payment: refund all |
    | S5    | TB   | 30 Nov 12:00  | 10,500 | 1                | line of 4,000 refunded              |
    | S6    | TB   | 1 Dec 08:00   |  2,000 | 2                | refund only requested: no refund    |
    | S10   | TB   | 1 Dec 10:00   |  9,000 | 1                | split: part S10-1 is not a sale     |
    | S12   | TB   | 1 Dec 09:00   |    700 | none (unrouted)  | held in review                      |

    Not in the range: S0 (27 Nov 23:59), S9 (2 Dec 00:00), S7 (never paid, JD).
    """
    w = await base_world(s)
    tb, pdd = w.tb, w.pdd
    host = await order(s, w, "S1", tb, S.shipped, paid=local(11, 28, 10), fen=10_000, warehouse=w.w1)
    await order(s, w, "S2", tb, S.routed, paid=local(11, 28, 23, 30), fen=5_000, warehouse=w.w1)
    await order(s, w, "S11", tb, S.merged, paid=local(11, 28, 11), fen=1_500, merged_into_id=host.id)
    await order(s, w, "S3", pdd, S.routed, paid=local(11, 29, 0, 10), fen=8_000, warehouse=w.w2)
    await order(s, w, "S4", pdd, S.cancelled, paid=local(11, 30, 9), fen=3_000, warehouse=w.w1)
    await order(
        s,
        w,
        "S5",
        tb,
        S.routed,
        paid=local(11, 30, 12),
        fen=10_500,  # 6,000 + 4,000 + 500 postage
        warehouse=w.w1,
        lines=[(6_000, RefundState.none), (4_000, RefundState.refunded)],
    )
    await order(
        s,
        w,
        "S6",
        tb,
        S.review,
        paid=local(12, 1, 8),
        fen=2_000,
        warehouse=w.w2,
        lines=[(2_000, RefundState.requested)],
    )
    root = await order(s, w, "S10", tb, S.routed, paid=local(12, 1, 10), fen=9_000, warehouse=w.w1)
    await order(s, w, "S10-1", tb, S.routed, paid=local(12, 1, 10), fen=4_000, warehouse=w.w2, split_from_id=root.id)
    await order(s, w, "S12", tb, S.review, paid=local(12, 1, 9), fen=700)
    await order(s, w, "S0", tb, S.shipped, paid=local(11, 27, 23, 59), fen=99_000, warehouse=w.w1)
    await order(s, w, "S9", tb, S.paid, paid=local(12, 2, 0, 0), fen=88_000, warehouse=w.w1)
    await order(s, w, "S7", w.jd, S.pending_payment, paid=None, fen=77_000)
    return w


async def fulfilment_world(s: AsyncSession) -> World:
    """Shipped in the range (4 orders, 2 late; lead 23 h, 56.5 h, 12 h 50 min, 11 h 50 min):

    | order | shop | paid (local)  | ship by      | first parcel left | warehouse | verdict                 |
    | F1    | TB   | 28 Nov 10:00  |              | 29 Nov 09:00      | 1         | on time (2nd parcel 30 Nov) |
    | F2    | TB   | 28 Nov 23:30  |              | 1 Dec 08:00       | 1         | late: 56.5 h > 48 h     |
    | F3    | PDD  | 29 Nov 00:10  | 29 Nov 12:00 | 29 Nov 13:00      | 2         | late: after its ship-by |
    | F4    | TB   | 30 Nov 12:00  |              | 30 Nov 23:50      | 1         | on time, still 30 Nov   |

    Not in the range: F0 (first parcel 27 Nov, a second one 28 Nov), F5 (left 2 Dec 00:05).

    Open now (2 Dec 14:00): O1 late (paid 30 Nov 10:00 → due 2 Dec 10:00), O3 late (ship by
    2 Dec 13:00), O2 at risk (due 16:00, warehouse 2), O5 at risk (due 17:30, not routed);
    O4 (due 4 Dec) and the held, merged and cancelled ones are neither.
    """
    w = await base_world(s)
    tb, pdd = w.tb, w.pdd
    f1 = await order(s, w, "F1", tb, S.shipped, paid=local(11, 28, 10), warehouse=w.w1)
    await parcel(s, f1, local(11, 29, 9))
    await parcel(s, f1, local(11, 30, 10), no=2)
    f2 = await order(s, w, "F2", tb, S.shipped, paid=local(11, 28, 23, 30), warehouse=w.w1)
    await parcel(s, f2, local(12, 1, 8))
    f3 = await order(s, w, "F3", pdd, S.shipped, paid=local(11, 29, 0, 10), ship_by=local(11, 29, 12), warehouse=w.w2)
    await parcel(s, f3, local(11, 29, 13))
    f4 = await order(s, w, "F4", tb, S.delivered, paid=local(11, 30, 12), warehouse=w.w1)
    await parcel(s, f4, local(11, 30, 23, 50))
    f0 = await order(s, w, "F0", tb, S.shipped, paid=local(11, 26, 10), warehouse=w.w1)
    await parcel(s, f0, local(11, 27, 10))
    await parcel(s, f0, local(11, 28, 10), no=2)
    f5 = await order(s, w, "F5", tb, S.shipped, paid=local(12, 1, 10), warehouse=w.w1)
    await parcel(s, f5, local(12, 2, 0, 5))
    await order(s, w, "O1", tb, S.routed, paid=local(11, 30, 10), warehouse=w.w1)
    await order(s, w, "O2", pdd, S.routed, paid=local(11, 30, 16), warehouse=w.w2)
    await order(s, w, "O3", tb, S.packed, paid=local(12, 1, 20), ship_by=local(12, 2, 13), warehouse=w.w1)
    await order(s, w, "O4", tb, S.routed, paid=local(12, 2, 9), warehouse=w.w1)
    await order(s, w, "O5", w.jd, S.paid, paid=local(11, 30, 17, 30))
    await order(s, w, "O6", tb, S.cancelled, paid=local(11, 29, 10), warehouse=w.w1)
    await order(s, w, "O7", tb, S.merged, paid=local(11, 29, 11), merged_into_id=f1.id)
    return w
