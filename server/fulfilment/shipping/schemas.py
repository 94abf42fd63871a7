"""API bodies of shipping (wire casing snake_case, ADR-0002; Kuaidi100's own fields stay theirs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from server.fulfilment.shipping.models import Shipment, ShipmentStatus, TrackingEvent, TrackingState
from server.lib.schema import Input, Schema

MAX_PARCEL_G = 1_000_000
"""A tonne: beyond any parcel (freight is not shipped on a waybill), so a typo in kg-for-g is caught."""


class ShipmentCreate(Input):
    weight_g: Annotated[int, msgspec.Meta(ge=0, le=MAX_PARCEL_G)] | None = None
    """From the scale at the packing bench (称重); leave out when nobody weighed the parcel."""
    additional_parcel: bool = False
    """Add a further parcel (一单多包) to an order that already has one; otherwise a second create is refused."""


class ShipRequest(Input):
    expected_by: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    """The promised delivery time, with its offset; past it with no 签收 lists the parcel as delayed."""


class TrackingEventOut(Schema):
    occurred_at: datetime
    state: TrackingState
    raw_state: str
    context: str
    area: str
    source: str


class ShipmentOut(Schema):
    id: int
    order_id: int
    parcel_no: int
    warehouse_id: int
    carrier_code: str
    waybill_no: str
    sort_code: str
    weight_g: int | None
    item_count: int
    status: ShipmentStatus
    status_note: str
    created_at: datetime
    labelled_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    expected_by: datetime | None
    label_url: str


class ShipmentDetailOut(ShipmentOut, kw_only=True):
    events: list[TrackingEventOut]
    """Newest first."""


class Kuaidi100Form(msgspec.Struct, kw_only=True):
    """The push as Kuaidi100 posts it (form-encoded); ``sign`` is absent when no salt was set."""

    param: str
    sign: str = ""


class Kuaidi100Ack(msgspec.Struct, kw_only=True, rename="camel"):
    """The acknowledgement Kuaidi100 expects; anything else and it pushes again."""

    result: bool
    return_code: str
    message: str


def shipment_out(s: Shipment) -> ShipmentOut:
    return ShipmentOut(**_fields(s))


def shipment_detail_out(s: Shipment, events: list[TrackingEvent]) -> ShipmentDetailOut:
    return ShipmentDetailOut(
        **_fields(s),
        events=[
            TrackingEventOut(
                occurred_at=e.occurred_at,
                state=e.state,
                raw_state=e.raw_state,
                context=e.context,
                area=e.area,
                source=e.source,
            )
            for e in events
        ],
    )


def _fields(s: Shipment) -> dict[str, Any]:
    return {
        "id": s.id,
        "order_id": s.order_id,
        "parcel_no": s.parcel_no,
        "warehouse_id": s.warehouse_id,
        "carrier_code": s.carrier_code,
        "waybill_no": s.waybill_no,
        "sort_code": s.sort_code,
        "weight_g": s.weight_g,
        "item_count": s.item_count,
        "status": s.status,
        "status_note": s.status_note,
        "created_at": s.created_at,
        "labelled_at": s.labelled_at,
        "shipped_at": s.shipped_at,
        "delivered_at": s.delivered_at,
        "last_event_at": s.last_event_at,
        "expected_by": s.expected_by,
        "label_url": f"/api/shipments/{s.id}/label.pdf",
    }
