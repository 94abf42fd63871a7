"""Rows of the orders domain as the API shows them (webhook secrets never leave the server)."""

from __future__ import annotations

from typing import Any

import msgspec

from server.orders.models import Channel, Order, OrderEvent, OrderImport, OrderLine
from server.orders.normalized import RowError
from server.orders.schemas import ChannelOut, ImportOut, OrderEventOut, OrderLineOut, OrderOut, OrderRefOut


def channel_out(c: Channel) -> ChannelOut:
    return ChannelOut(
        id=c.id,
        code=c.code,
        name=c.name,
        platform=c.platform,
        currency=c.currency,
        active=c.active,
        has_webhook_secret=bool(c.webhook_secret),
        safety_stock=c.safety_stock,
        stock_share_pct=c.stock_share_pct,
        stock_warehouse_ids=list(c.stock_warehouses.get("ids", [])),
        created_at=c.created_at,
    )


def import_out(r: OrderImport) -> ImportOut:
    return ImportOut(
        id=r.id,
        channel_id=r.channel_id,
        source=r.source,
        filename=r.filename,
        status=r.status,
        rows=r.rows,
        orders_total=r.orders_total,
        orders_done=r.orders_done,
        created=r.created,
        updated=r.updated,
        unchanged=r.unchanged,
        stale=r.stale,
        errors=msgspec.convert(r.errors.get("errors", []), list[RowError]),
        started_at=r.started_at,
        finished_at=r.finished_at,
    )


def order_fields(o: Order) -> dict[str, Any]:
    return {
        "id": o.id,
        "channel_id": o.channel_id,
        "platform_order_no": o.platform_order_no,
        "status": o.status,
        "hold_reason": o.hold_reason,
        "platform_status": o.platform_status,
        "ordered_at": o.ordered_at,
        "paid_at": o.paid_at,
        "currency": o.currency,
        "goods_minor": o.goods_minor,
        "shipping_minor": o.shipping_minor,
        "discount_minor": o.discount_minor,
        "paid_minor": o.paid_minor,
        "buyer_id": o.buyer_id,
        "buyer_message": o.buyer_message,
        "seller_memo": o.seller_memo,
        "seller_flag": o.seller_flag,
        "ship_by": o.ship_by,
        "presale": o.presale,
        "priority": o.priority,
        "tags": list(o.tags.get("tags", [])),
        "receiver": o.receiver,
        "warehouse_id": o.warehouse_id,
        "carrier_code": o.carrier_code,
        "shipping_cost_minor": o.shipping_cost_minor,
        "merged_into_id": o.merged_into_id,
        "split_from_id": o.split_from_id,
    }


def order_out(o: Order) -> OrderOut:
    return OrderOut(**order_fields(o))


def order_ref(o: Order) -> OrderRefOut:
    return OrderRefOut(id=o.id, platform_order_no=o.platform_order_no, status=o.status)


def line_out(line: OrderLine) -> OrderLineOut:
    return OrderLineOut(
        id=line.id,
        order_id=line.order_id,
        origin_order_id=line.origin_order_id,
        line_no=line.line_no,
        platform_line_id=line.platform_line_id,
        sku_code=line.sku_code,
        sku_id=line.sku_id,
        title=line.title,
        spec=line.spec,
        qty=line.qty,
        unit_price_minor=line.unit_price_minor,
        discount_minor=line.discount_minor,
        paid_minor=line.paid_minor,
        refund=line.refund,
    )


def event_out(e: OrderEvent) -> OrderEventOut:
    return OrderEventOut(
        at=e.at,
        kind=e.kind,
        from_status=e.from_status,
        to_status=e.to_status,
        actor_user_id=e.actor_user_id,
        reason=e.reason,
        detail=e.detail,
    )
