"""The order pool: idempotent imports, platform updates, holds and progress — on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.orders.imports import new_import, run_import
from server.orders.models import Channel, ImportStatus, Order, OrderEvent, OrderImport, OrderLine, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, ParseResult, PlatformStatus, Receiver, RefundState
from server.orders.pool import write_orders
from server.orders.service import import_parsed
from tests.factories import make_sku

Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 5, tzinfo=UTC)


async def _channel(factory: Factory, code: str = "TMALL-1") -> Channel:
    async with factory() as s, s.begin():
        channel = Channel(code=code, name="天猫旗舰店", platform="taobao")
        s.add(channel)
        await s.flush()
        return channel


def _order(
    number: str,
    *,
    sku_code: str = "SKU-A",
    status: PlatformStatus = PlatformStatus.paid,
    updated: datetime | None = None,
    refund: RefundState = RefundState.none,
    memo: str = "",
) -> NormalizedOrder:
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=number,
        status=status,
        created_at=T0,
        paid_at=T0 + timedelta(minutes=1) if status is not PlatformStatus.pending_payment else None,
        updated_at=updated,
        goods_minor=19_900,
        paid_minor=19_900,
        seller_memo=memo,
        receiver=Receiver(name="张**", phone="138****1234", province="浙江省", city="杭州市", encrypted={"oaid": "x1"}),
        lines=[
            NormalizedLine(
                platform_line_id=f"{number}-1",
                sku_code=sku_code,
                qty=1,
                unit_price_minor=19_900,
                paid_minor=19_900,
                refund=refund,
            )
        ],
    )


async def _write(factory: Factory, channel: Channel, orders: list[NormalizedOrder]) -> tuple[int, int, int, int]:
    async with factory() as s, s.begin():
        tally = await write_orders(s, channel.id, orders, actor=None)
    return tally.created, tally.updated, tally.unchanged, tally.stale


async def _orders(factory: Factory) -> dict[str, Order]:
    async with factory() as s:
        return {o.platform_order_no: o for o in await s.scalars(select(Order))}


async def _events(factory: Factory, number: str) -> list[tuple[str, str, str]]:
    async with factory() as s:
        rows = await s.execute(
            select(OrderEvent.kind, OrderEvent.from_status, OrderEvent.to_status)
            .join(Order, Order.id == OrderEvent.order_id)
            .where(Order.platform_order_no == number)
            .order_by(OrderEvent.id)
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def test_the_same_orders_imported_twice_are_one_order_each(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    batch = [_order("T1001"), _order("T1002")]

    assert await _write(session_factory, channel, batch) == (2, 0, 0, 0)
    assert await _write(session_factory, channel, batch) == (0, 0, 2, 0)

    orders = await _orders(session_factory)
    assert sorted(orders) == ["T1001", "T1002"]
    assert orders["T1001"].status is OrderStatus.paid
    assert orders["T1001"].receiver["encrypted"] == {"oaid": "x1"}  # kept as given for the decrypt API
    assert await _events(session_factory, "T1001") == [("imported", "paid", "paid")]
    async with session_factory() as s:
        line = (await s.scalars(select(OrderLine))).first()
        assert line is not None and line.sku_id is not None  # mapped by the merchant code


async def test_a_later_version_updates_and_an_older_one_is_stale(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    await _write(session_factory, channel, [_order("T2001", updated=T0)])

    newer = _order("T2001", updated=T0 + timedelta(hours=1), memo="送礼，不要发票")
    assert await _write(session_factory, channel, [newer]) == (0, 1, 0, 0)
    older = _order("T2001", updated=T0 + timedelta(minutes=30), memo="old")
    assert await _write(session_factory, channel, [older]) == (0, 0, 0, 1)

    assert (await _orders(session_factory))["T2001"].seller_memo == "送礼，不要发票"
    assert [e[0] for e in await _events(session_factory, "T2001")] == ["imported", "updated"]


async def test_platform_payment_and_cancellation_move_our_status_with_events(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    await _write(session_factory, channel, [_order("T3001", status=PlatformStatus.pending_payment, updated=T0)])
    await _write(session_factory, channel, [_order("T3001", updated=T0 + timedelta(minutes=1))])
    assert (await _orders(session_factory))["T3001"].status is OrderStatus.paid

    closed = _order("T3001", status=PlatformStatus.cancelled, updated=T0 + timedelta(minutes=2))
    await _write(session_factory, channel, [closed])

    assert (await _orders(session_factory))["T3001"].status is OrderStatus.cancelled
    assert await _events(session_factory, "T3001") == [
        ("imported", "pending_payment", "pending_payment"),
        ("updated", "pending_payment", "pending_payment"),
        ("status", "pending_payment", "paid"),
        ("updated", "paid", "paid"),
        ("status", "paid", "cancelled"),
    ]


async def test_unknown_codes_and_refund_requests_hold_the_order_for_review(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    await _write(
        session_factory,
        channel,
        [_order("T4001", sku_code="NOPE-9"), _order("T4002", refund=RefundState.requested), _order("T4003")],
    )

    orders = await _orders(session_factory)
    assert (orders["T4001"].status, orders["T4001"].hold_reason) == (
        OrderStatus.review,
        "unknown merchant SKU code(s): NOPE-9",
    )
    assert orders["T4002"].status is OrderStatus.review
    assert orders["T4002"].hold_reason.startswith("refund requested")
    assert orders["T4003"].status is OrderStatus.paid

    refunded = _order("T4003", refund=RefundState.refunded, updated=T0 + timedelta(hours=2))
    await _write(session_factory, channel, [refunded])
    assert (await _orders(session_factory))["T4003"].status is OrderStatus.cancelled  # its only line refunded


async def test_a_bad_order_is_reported_and_the_good_ones_go_in_with_progress(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    good = [_order(f"T5{n:03d}") for n in range(7)]
    bad = _order("X" * 80)
    parsed = ParseResult(orders=[*good[:3], bad, *good[3:]], rows=8)
    async with session_factory() as s, s.begin():
        row = new_import(channel.id, parsed, source="file", filename="orders.csv", user_id=None)
        s.add(row)
        await s.flush()
        import_id = row.id

    await run_import(session_factory, import_id, channel.id, parsed.orders, actor=None, chunk=3)

    async with session_factory() as s:
        report = await s.get(OrderImport, import_id)
        count = await s.scalar(select(func.count()).select_from(Order))
    assert report is not None
    assert (report.status, report.orders_total, report.orders_done, report.created) == (ImportStatus.done, 8, 8, 7)
    assert count == 7
    (error,) = report.errors["errors"]
    assert error["field"] == "platform_order_no" and "longer than 64" in error["message"]


async def test_concurrent_imports_of_the_same_order_make_one_order(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    parsed = ParseResult(orders=[_order(f"T6{n:03d}") for n in range(20)], rows=20)

    ids = await asyncio.gather(
        *(
            import_parsed(session_factory, channel, parsed, source="webhook", filename="", user_id=None)
            for _ in range(4)
        )
    )

    async with session_factory() as s:
        count = await s.scalar(select(func.count()).select_from(Order))
        reports = [await s.get(OrderImport, i) for i in ids]
    assert count == 20
    assert sum(r.created for r in reports if r is not None) == 20
    assert all(r is not None and r.created + r.unchanged == 20 and r.status is ImportStatus.done for r in reports)


async def test_plain_and_watched_new_orders_of_one_chunk_are_written_alike(session_factory: Factory) -> None:
    """Plain new orders go in as bulk rows, ones needing attention through the ORM: same result."""
    async with session_factory() as s, s.begin():
        await make_sku(s, code="SKU-A")
    channel = await _channel(session_factory)
    numbers = ["T5001", "T5002", "T5003", "T5004"]
    await _write(
        session_factory,
        channel,
        [
            _order("T5001"),
            _order("T5002", sku_code="NOPE-1"),
            _order("T5003"),
            _order("T5004", status=PlatformStatus.cancelled),
        ],
    )

    async with session_factory() as s:
        orders = {o.platform_order_no: o for o in await s.scalars(select(Order))}
        lines = list(await s.scalars(select(OrderLine).order_by(OrderLine.id)))
        events = list(await s.scalars(select(OrderEvent).where(OrderEvent.kind == "imported")))
    assert sorted(orders) == numbers
    assert [orders[n].status for n in numbers] == [
        OrderStatus.paid,
        OrderStatus.review,
        OrderStatus.paid,
        OrderStatus.cancelled,
    ]
    assert {(line.order_id, line.origin_order_id, line.line_no, line.platform_line_id) for line in lines} == {
        (orders[n].id, orders[n].id, 1, f"{n}-1") for n in numbers
    }
    assert sorted(e.order_id for e in events) == sorted(o.id for o in orders.values())
    assert all(o.content_hash and o.created_at and o.carrier_code == "" for o in orders.values())

    async with session_factory() as s:
        before = await s.scalar(select(func.count()).select_from(OrderEvent))
    await _write(session_factory, channel, [_order(n) for n in ("T5001", "T5003")])  # the same again: nothing
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(OrderEvent)) == before
