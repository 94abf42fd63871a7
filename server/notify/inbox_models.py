"""``notification_inbox``: every notification a person was meant to hear about, phone or not.

A push can be lost (no subscription, FCM blocked in mainland China, quiet hours, a phone off for a
day), so the PWA's notification centre reads this list instead. The push worker writes one row per
matching *user* when it fans a notification out, copying its texts: the outbox rows are pruned
after a week, the inbox keeps its own copy for ``INBOX_KEEP``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin
from server.db.types import BigIntPK, str_enum, utcnow
from server.notify.models import Urgency


class InboxItem(IdMixin, Base):
    __tablename__ = "notification_inbox"
    __table_args__ = (
        Index("ix_notification_inbox_user_id_id", "user_id", "id"),
        Index("ix_notification_inbox_user_id_read_at", "user_id", "read_at"),
    )

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("users.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(BigIntPK, default=None)
    """The outbox row it came from; no foreign key, because that row is pruned long before this one."""
    kind: Mapped[str] = mapped_column(String(48))
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(512), default="/")
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, length=16), default=Urgency.normal)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
