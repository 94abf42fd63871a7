"""Web Push tables: the server's VAPID key, the phones' subscriptions and their owners' quiet hours,
and the three stages a notification passes through on its way out.

``push_notifications`` is the outbox: a row is written in the transaction of the change it reports.
The worker then *fans it out* into one ``push_deliveries`` row per matching subscription, *composes*
waiting deliveries into ``push_messages`` (one message may carry a thousand deliveries: "1,000 urgent
orders"), and *sends* messages with retries. Retrying a message never re-composes it, so a retried
push carries exactly the deliveries it carried the first time and none is sent twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, str_enum, utcnow


class VapidKey(Base):
    """The one VAPID key pair of this installation. Every browser subscription is bound to its public
    half, so it is made once and never replaced behind anyone's back (``server.notify.vapid``)."""

    __tablename__ = "push_vapid_keys"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    private_pem: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(String(100))
    """base64url of the uncompressed P-256 point (the browser's ``applicationServerKey``)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PushSubscription(IdMixin, TimestampMixin, Base):
    """A browser's ``PushSubscription``: where to POST and the keys to encrypt for. The endpoint is the
    identity: the same browser subscribing again (or another user logging in on it) updates the row."""

    __tablename__ = "push_subscriptions"

    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("devices.id", ondelete="SET NULL"), default=None
    )
    warehouse_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("warehouses.id", ondelete="SET NULL"), default=None
    )
    """The site this phone works in: notifications about another site skip it. ``None``: every site
    its user may see."""
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)


class PushPreferences(Base):
    """Per-user quiet hours (local wall time; ``start == end`` or ``None`` means none)."""

    __tablename__ = "push_preferences"

    user_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    quiet_start: Mapped[str | None] = mapped_column(String(5), default=None)
    """``HH:MM``."""
    quiet_end: Mapped[str | None] = mapped_column(String(5), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Urgency(StrEnum):
    """The Web Push ``Urgency`` header (RFC 8030 §5.3): phones on battery may delay the low ones."""

    very_low = "very-low"
    low = "low"
    normal = "normal"
    high = "high"


class PushNotification(IdMixin, Base):
    """The outbox row: what to tell whom, written with the change (``queue_notification``)."""

    __tablename__ = "push_notifications"
    __table_args__ = (Index("ix_push_notifications_fanned_out_at_id", "fanned_out_at", "id"),)

    kind: Mapped[str] = mapped_column(String(48))
    audience: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    """``{"user_ids": [...], "roles": [...], "warehouse_id": n | null}``."""
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(512), default="/")
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, length=16), default=Urgency.normal)
    topic: Mapped[str] = mapped_column(String(32))
    ttl: Mapped[int] = mapped_column(default=3600)
    critical: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Sent through quiet hours."""
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fanned_out_at: Mapped[datetime | None] = mapped_column(default=None)
    recipients: Mapped[int] = mapped_column(default=0)
    """Subscriptions it was fanned out to (0: nobody subscribed matched)."""


class DeliveryStatus(StrEnum):
    waiting = "waiting"
    """Not yet in a message (grouping window, rate limit or quiet hours)."""
    composed = "composed"
    """Carried by ``message_id``."""


class PushDelivery(IdMixin, Base):
    """One notification for one subscription."""

    __tablename__ = "push_deliveries"
    __table_args__ = (Index("ix_push_deliveries_status_subscription_id", "status", "subscription_id"),)

    notification_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("push_notifications.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("push_subscriptions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    critical: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, length=16), default=DeliveryStatus.waiting)
    message_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("push_messages.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageStatus(StrEnum):
    pending = "pending"
    failed = "failed"
    """Will be tried again at ``next_attempt_at``."""
    sent = "sent"
    dead = "dead"
    """Given up: too many tries, or refused for good (a person reads ``last_error``)."""


class PushMessage(IdMixin, Base):
    """One HTTP push to one subscription: a single notification or a summary of several."""

    __tablename__ = "push_messages"
    __table_args__ = (
        Index("ix_push_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_push_messages_subscription_id_created_at", "subscription_id", "created_at"),
    )

    subscription_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("push_subscriptions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    count: Mapped[int] = mapped_column()
    payload: Mapped[str] = mapped_column(Text)
    """The exact JSON text encrypted and sent: every retry sends the same message."""
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, length=16))
    topic: Mapped[str] = mapped_column(String(32))
    ttl: Mapped[int] = mapped_column()
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus, length=16), default=MessageStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None] = mapped_column(default=None)
    """The push service's last HTTP status (``None``: no answer, a network error)."""
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
