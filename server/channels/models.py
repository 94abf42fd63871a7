"""A shop's API credentials, its listings (商品对应) and the stock figures last published to it.

Credentials live in their own table rather than on ``channels``: they are the one place secrets are
kept, read only by the senders and written only through a write-only endpoint, so keeping them
apart keeps every ``SELECT`` of channels (lists, joins, exports) free of them by construction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, IdMixin, TimestampMixin
from server.db.types import BigIntPK, JsonDoc, utcnow


class ChannelCredentials(Base):
    """The keys a shop's platform API needs (``app_key``, ``app_secret``, ``session``…), as one
    document because each platform names different ones; ``server.channels.credentials`` lists them."""

    __tablename__ = "channel_credentials"

    channel_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict, server_default=text("'{}'"))
    """Secrets included: never logged, never sent back (the API answers which keys are set)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelListing(IdMixin, TimestampMixin, Base):
    """商品对应: this platform SKU (as order lines record it: ``num_iid/sku_id``, a variant id…) is our
    SKU. Listings say what a shop sells before it has sold it, and override what old orders suggest."""

    __tablename__ = "channel_listings"
    __table_args__ = (UniqueConstraint("channel_id", "platform_sku_id"),)

    channel_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("channels.id", ondelete="CASCADE"))
    platform_sku_id: Mapped[str] = mapped_column(String(64))
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    """``False``: never publish stock for this platform SKU (the merchant keeps it by hand)."""


class PublishedStock(Base):
    """The figure last queued for one platform SKU of a shop: the next publication sends only changes."""

    __tablename__ = "channel_stock_published"

    channel_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    platform_sku_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("skus.id"))
    quantity: Mapped[int] = mapped_column()
    version: Mapped[int] = mapped_column()
    """Counts publications of this platform SKU; part of the outbox row's dedupe key."""
    outbox_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("channel_outbox.id"), default=None)
    """The outbox row that carries ``quantity``."""
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
