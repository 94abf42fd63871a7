"""The report benchmark's generator (``bench.reports_data``) at a tiny scale, on both backends: its
rows satisfy the schema, agree with each other as the services would leave them, and every
registered report accepts them and finds something to show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.reports import bench_manager, registered
from bench.reports_data import END, Sizes, generate
from bench.reports_data.shape import LOCAL, daily_orders
from server.orders.models import Order, OrderLine, OrderReservation
from server.reports.range_scope import range_scope
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.ledger.verify import verify_ledger

Factory = async_sessionmaker[AsyncSession]
TINY = Sizes.of(0.0005)
"""200 orders, 2,500 moves, 60 SKUs: the whole year in a few seconds."""


def test_the_days_add_up_to_the_orders_asked_for() -> None:
    days = daily_orders(400_000)

    assert sum(n for _, n in days) == 400_000
    by_day = dict(days)
    double_11 = by_day[(END + LOCAL).date().replace(month=11, day=11)]
    assert double_11 > 5 * by_day[(END + LOCAL).date().replace(month=10, day=14)]  # the promotion's spike


async def test_the_rows_agree_and_every_registered_report_builds_over_them(session_factory: Factory) -> None:
    generated = await generate(session_factory, TINY, say=lambda _: None)

    async with session_factory() as s:
        ledger = await verify_ledger(s)
        moves = await s.scalar(select(func.count()).select_from(StockMove))
        orders = await s.scalar(select(func.count()).select_from(Order))
        lines = await s.scalar(select(func.count()).select_from(OrderLine))
        reserved = await s.scalar(select(func.coalesce(func.sum(StockLevel.reserved), 0)))
        held = await s.scalar(select(func.coalesce(func.sum(OrderReservation.qty), 0)))
        over = await s.scalar(
            select(func.count()).select_from(StockLevel).where(StockLevel.reserved > StockLevel.on_hand)
        )
        latest = await s.scalar(select(func.max(StockMove.occurred_at)))

    assert ledger.ok, ledger.differences[:5]
    assert moves == TINY.moves == generated.rows["stock_moves"]
    assert orders == TINY.orders
    assert lines == generated.rows["order_lines"] > 2 * TINY.orders
    assert reserved == held
    assert over == 0
    assert latest is not None and latest < END

    today = (END + LOCAL).date()
    async with session_factory() as s:
        user = await bench_manager(s)
        for name, builder in registered(None).items():
            scope = await range_scope(s, user, now=END, date_from=today - timedelta(days=89), date_to=today)
            report = await builder(s, scope, limit=10)

            assert report.report == name
            measured = [t.value for t in report.tiles if t.value]
            assert measured, f"{name}: every tile empty over 90 days of generated data"
            assert any(t.rows for t in report.tables), f"{name}: every table empty"
