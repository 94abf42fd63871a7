"""Shipments (发货), their tracking events, the waybill number counters, and the channel outbox.

A shipment is one parcel of one order: the carrier, the waybill number (电子面单号) that carrier
issued, and where the parcel is now. Tracking events are kept exactly as the tracker reported them
(with our normalized state beside the source's raw code) so a dispute with a carrier can be read
from the rows. The channel outbox holds the platform calls (shipment confirmations, stock updates)
written in the same transaction as the change they report: a crash after commit never loses one,
a rollback never sends one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow


class ShipmentStatus(StrEnum):
    """Where a parcel is. ``created``/``labelled`` are still in the warehouse; the rest are the carrier's."""

    created = "created"
    """A waybill number was issued; no label printed yet."""
    labelled = "labelled"
    """The label was printed (its PDF fetched at least once)."""
    shipped = "shipped"
    """Handed over (发货): the order is shipped and the channel is being told."""
    in_transit = "in_transit"
    """The carrier picked it up (揽收) or moves it (在途)."""
    delivering = "delivering"
    """Out for delivery (派件)."""
    delivered = "delivered"
    """Signed for (签收)."""
    exception = "exception"
    """The carrier cannot deliver it as is (疑难, 拒签, customs trouble): a person must look."""
    returned = "returned"
    """On its way back or back with the sender (退回, 退签)."""


IN_WAREHOUSE = frozenset({ShipmentStatus.created, ShipmentStatus.labelled})
ON_THE_WAY = frozenset({ShipmentStatus.shipped, ShipmentStatus.in_transit, ShipmentStatus.delivering})
FINAL = frozenset({ShipmentStatus.delivered, ShipmentStatus.returned})
"""No later tracking push moves a parcel out of these (a late 在途 after 签收 is the tracker catching up)."""


class TrackingState(StrEnum):
    """One tracking event's meaning, whatever tracker reported it."""

    picked_up = "picked_up"
    in_transit = "in_transit"
    delivering = "delivering"
    delivered = "delivered"
    exception = "exception"
    refused = "refused"
    returned = "returned"
    customs = "customs"
    unknown = "unknown"


class WaybillCounter(Base):
    """The last serial number the local generator issued for one carrier (its 号段 cursor).

    One row per carrier, incremented with a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING``:
    the row lock makes concurrent shipments wait for each other, so no two share a number, and a
    rolled-back shipment gives its number back with the rest of its transaction.
    """

    __tablename__ = "waybill_counters"

    carrier_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Shipment(IdMixin, TimestampMixin, Base):
    """One parcel of one order with its carrier and waybill number."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "parcel_no"),
        UniqueConstraint("carrier_code", "waybill_no"),
        Index("ix_shipments_status_last_event_at", "status", "last_event_at"),
        Index("ix_shipments_shipped_at", "shipped_at"),  # reports: shipped today
    )

    order_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("orders.id"))
    parcel_no: Mapped[int] = mapped_column(default=1)
    """1 for the order's first parcel; an order split over several boxes (一单多包) counts on."""
    warehouse_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("warehouses.id"))
    carrier_code: Mapped[str] = mapped_column(String(24))
    waybill_no: Mapped[str] = mapped_column(String(64), index=True)
    """Unique per carrier only: carriers' number ranges overlap, and some recycle numbers."""
    sort_code: Mapped[str] = mapped_column(String(64), default="")
    """The sorting/route code printed big on the label (大头笔 / 三段码)."""
    print_fields: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    """What the carrier's waybill answer asks to print besides the number (集包地, route…)."""
    weight_g: Mapped[int | None] = mapped_column(default=None)
    """Weighed at packing (称重 is optional); ``None`` when nobody weighed it."""
    item_count: Mapped[int] = mapped_column(default=0)
    """Units in the parcel, printed on the label so the receiver can count."""
    status: Mapped[ShipmentStatus] = mapped_column(str_enum(ShipmentStatus), default=ShipmentStatus.created)
    status_note: Mapped[str] = mapped_column(Text, default="")
    """Why it is in ``exception``/``returned``: the carrier's own words."""
    created_by_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("users.id"), default=None)
    labelled_at: Mapped[datetime | None] = mapped_column(default=None)
    shipped_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    last_event_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the newest tracking event happened (not when it reached us): what delay detection reads."""
    expected_by: Mapped[datetime | None] = mapped_column(default=None)
    """The carrier's (or merchant's) promised delivery time; past it with no 签收 is a delay."""


class TrackingEvent(IdMixin, Base):
    """One line of a parcel's tracking history, once however often the tracker repeats it."""

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "occurred_at", "context_hash"),)

    shipment_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("shipments.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column()
    state: Mapped[TrackingState] = mapped_column(str_enum(TrackingState))
    raw_state: Mapped[str] = mapped_column(String(16), default="")
    """The source's own code or word (Kuaidi100 ``state`` ``"5"``, or an item's ``status`` ``"派件"``)."""
    context: Mapped[str] = mapped_column(Text, default="")
    context_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of ``context``: the idempotency key needs it, and a long text makes a poor unique index."""
    area: Mapped[str] = mapped_column(String(128), default="")
    source: Mapped[str] = mapped_column(String(24))
    """``kuaidi100``, ``manual``…"""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxKind(StrEnum):
    shipment_confirmation = "shipment_confirmation"
    stock_update = "stock_update"


class OutboxStatus(StrEnum):
    pending = "pending"
    """Not tried yet."""
    sent = "sent"
    failed = "failed"
    """Tried and failed; tried again at ``next_attempt_at``."""
    dead = "dead"
    """Gave up (too many attempts, or the platform refused it for good): a person must look."""


class ChannelOutbox(IdMixin, Base):
    """A platform call to make, written in the transaction of the change it reports."""

    __tablename__ = "channel_outbox"
    __table_args__ = (Index("ix_channel_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    channel_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("channels.id"), index=True)
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, length=32))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    """The adapter's ``OutboundCall`` as ``{"platform", "method", "params"}``."""
    reference: Mapped[str] = mapped_column(String(64), default="")
    """What it is about, for people reading the table (``shipment:12``)."""
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True, default=None)
    """At most one row per key (``shipment_confirmation:12``): a retried request cannot confirm twice."""
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
