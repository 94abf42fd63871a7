"""Creating and shipping a shipment: the order's status, the waybill, and the channel confirmation
written to the outbox in the same transaction as the order becoming shipped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.fulfilment.shipping import service
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus, ShipmentStatus
from server.orders.lifecycle import TransitionRefused, change_status
from server.orders.models import OrderStatus
from server.orders.normalized import RefundState
from tests.integration.shipping.helpers import T0, Factory, event_kinds, make_packed_order, order, outbox_rows, shipment

SHIP_AT = T0 + timedelta(hours=1)


async def test_a_packed_order_gets_a_shipment_with_a_waybill(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s, lines=[("5001", 2, RefundState.none), ("5002", 1, RefundState.none)])
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None, weight_g=1250)

    row = await shipment(session_factory, created.id)
    assert (row.order_id, row.parcel_no, row.warehouse_id) == (packed.order_id, 1, packed.warehouse_id)
    assert (row.carrier_code, row.waybill_no, row.sort_code) == ("YTO", "000000000018", "浙江 杭州")
    assert (row.status, row.weight_g, row.item_count) == (ShipmentStatus.created, 1250, 3)
    assert row.print_fields == {"issued_by": "local"}
    assert (await order(session_factory, packed.order_id)).status is OrderStatus.packed
    assert await event_kinds(session_factory, packed.order_id) == ["shipment_created"]


async def test_an_order_without_a_carrier_ships_with_the_default(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s, carrier_code="")
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    assert (created.carrier_code, created.waybill_no) == ("LOCAL", "LC000000000018")


@pytest.mark.parametrize("status", [OrderStatus.picked, OrderStatus.review, OrderStatus.cancelled])
async def test_only_a_packed_order_gets_a_shipment(session_factory: Factory, status: OrderStatus) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s, status=status)
    with pytest.raises(service.ShipmentRefused) as refused:
        async with session_factory() as s, s.begin():
            await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    assert (refused.value.status, refused.value.code, refused.value.detail) == (
        409,
        "order_not_packed",
        {"order_id": packed.order_id, "status": status.value},
    )
    assert refused.value.message_zh.startswith(f"订单 {packed.order_no} 状态为")


async def test_a_second_parcel_must_be_asked_for(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        first = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    with pytest.raises(service.ShipmentRefused) as refused:
        async with session_factory() as s, s.begin():
            await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    assert (refused.value.code, refused.value.detail) == (
        "shipment_exists",
        {"order_id": packed.order_id, "shipment_ids": [first.id]},
    )
    async with session_factory() as s, s.begin():
        second = await service.create_shipment(
            s, await service.get_order(s, packed.order_id), None, additional_parcel=True
        )
    assert (second.parcel_no, second.waybill_no) == (2, "000000000026")


async def test_shipping_moves_the_order_and_queues_the_confirmation_in_one_transaction(
    session_factory: Factory,
) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    async with session_factory() as s, s.begin():
        shipped = await service.ship(s, created, None, now=SHIP_AT, expected_by=SHIP_AT + timedelta(days=3))

    assert (shipped.status, shipped.shipped_at, shipped.expected_by) == (
        ShipmentStatus.shipped,
        SHIP_AT,
        SHIP_AT + timedelta(days=3),
    )
    assert (await order(session_factory, packed.order_id)).status is OrderStatus.shipped
    assert await event_kinds(session_factory, packed.order_id) == ["shipment_created", "shipped"]
    [row] = await outbox_rows(session_factory)
    assert (row.channel_id, row.kind, row.status, row.attempts) == (
        packed.channel_id,
        OutboxKind.shipment_confirmation,
        OutboxStatus.pending,
        0,
    )
    assert (row.reference, row.dedupe_key, row.next_attempt_at) == (
        f"shipment:{created.id}",
        f"shipment_confirmation:{created.id}",
        SHIP_AT,
    )
    assert row.payload == {
        "platform": "taobao",
        "method": "taobao.logistics.offline.send",
        "params": {"tid": packed.order_no, "out_sid": "000000000018", "company_code": "YTO"},
    }


async def test_a_failure_after_the_outbox_row_rolls_back_the_shipping_too(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)

    async def ship_then_crash() -> None:
        async with session_factory() as s, s.begin():
            await service.ship(s, created, None, now=SHIP_AT)
            await s.flush()
            assert await s.scalar(select(func.count()).select_from(ChannelOutbox)) == 1
            raise RuntimeError("crash after the outbox row")

    with pytest.raises(RuntimeError, match="crash after the outbox row"):
        await ship_then_crash()

    assert await outbox_rows(session_factory) == []
    assert (await order(session_factory, packed.order_id)).status is OrderStatus.packed
    row = await shipment(session_factory, created.id)
    assert (row.status, row.shipped_at) == (ShipmentStatus.created, None)
    assert await event_kinds(session_factory, packed.order_id) == ["shipment_created"]


async def test_shipping_twice_changes_nothing_the_second_time(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
    async with session_factory() as s, s.begin():
        await service.ship(s, created, None, now=SHIP_AT)
    async with session_factory() as s, s.begin():
        again = await service.ship(s, created, None, now=SHIP_AT + timedelta(minutes=5))
    assert (again.status, again.shipped_at) == (ShipmentStatus.shipped, SHIP_AT)
    assert len(await outbox_rows(session_factory)) == 1
    assert await event_kinds(session_factory, packed.order_id) == ["shipment_created", "shipped"]


async def test_an_order_intercepted_after_packing_is_not_shipped(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
        change_status(
            s, await service.get_order(s, packed.order_id), OrderStatus.review, actor=None, reason="refund requested"
        )
    with pytest.raises(service.ShipmentRefused) as refused:
        async with session_factory() as s, s.begin():
            await service.ship(s, created, None, now=SHIP_AT)
    assert (refused.value.code, refused.value.detail) == (
        "order_not_packed",
        {"order_id": packed.order_id, "status": "review", "shipment_id": created.id},
    )
    assert await outbox_rows(session_factory) == []
    assert (await shipment(session_factory, created.id)).status is ShipmentStatus.created


async def test_a_cancelled_order_is_refused_by_the_state_machine_too(session_factory: Factory) -> None:
    """Belt and braces: ``change_status`` itself refuses cancelled → shipped."""
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s, status=OrderStatus.cancelled)
        with pytest.raises(TransitionRefused):
            change_status(s, await service.get_order(s, packed.order_id), OrderStatus.shipped, actor=None, reason="x")


async def test_a_refunded_line_is_left_out_of_the_confirmation(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(
            s, lines=[("5001", 1, RefundState.none), ("5002", 1, RefundState.refunded), ("5003", 4, RefundState.none)]
        )
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
        await service.ship(s, created, None, now=SHIP_AT)
    assert created.item_count == 5
    [row] = await outbox_rows(session_factory)
    assert row.payload["params"] == {
        "tid": packed.order_no,
        "out_sid": "000000000018",
        "company_code": "YTO",
        "sub_tid": "5001,5003",
        "is_split": 1,
    }


async def test_a_shop_without_an_adapter_gets_a_note_instead_of_an_outbox_row(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s, platform="csv")
        created = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
        await service.ship(s, created, None, now=SHIP_AT)
    assert await outbox_rows(session_factory) == []
    assert (await order(session_factory, packed.order_id)).status is OrderStatus.shipped
    assert await event_kinds(session_factory, packed.order_id) == [
        "shipment_created",
        "shipped",
        "confirmation_skipped",
    ]


async def test_a_further_parcel_ships_without_a_second_confirmation(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        packed = await make_packed_order(s)
        first = await service.create_shipment(s, await service.get_order(s, packed.order_id), None)
        second = await service.create_shipment(
            s, await service.get_order(s, packed.order_id), None, additional_parcel=True
        )
    async with session_factory() as s, s.begin():
        await service.ship(s, first, None, now=SHIP_AT)
    async with session_factory() as s, s.begin():
        await service.ship(s, second, None, now=SHIP_AT)
    assert (await shipment(session_factory, second.id)).status is ShipmentStatus.shipped
    assert len(await outbox_rows(session_factory)) == 1
    assert await event_kinds(session_factory, packed.order_id) == [
        "shipment_created",
        "shipment_created",
        "shipped",
        "parcel_shipped",
    ]
