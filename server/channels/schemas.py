"""API shapes for channel credentials, listings (商品对应), stock publication and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from server.lib.schema import Input, Schema

Value = Annotated[str, msgspec.Meta(max_length=1024)]


class CredentialsInput(Input):
    """Keys to set. A key left out keeps its value; ``null`` or ``""`` clears it. Which keys a
    platform uses: ``GET /api/channels/{id}/credentials``. Secrets are write-only."""

    app_key: Value | UnsetType | None = UNSET
    app_secret: Value | UnsetType | None = UNSET
    session: Value | UnsetType | None = UNSET
    access_token: Value | UnsetType | None = UNSET
    client_id: Value | UnsetType | None = UNSET
    client_secret: Value | UnsetType | None = UNSET
    consumer_key: Value | UnsetType | None = UNSET
    consumer_secret: Value | UnsetType | None = UNSET
    shop_domain: Value | UnsetType | None = UNSET
    location_id: Value | UnsetType | None = UNSET
    sign_method: Value | UnsetType | None = UNSET
    base_url: Value | UnsetType | None = UNSET
    carrier_codes: dict[str, Annotated[str, msgspec.Meta(max_length=64)]] | UnsetType | None = UNSET
    """Our carrier code → the platform's (``{"SF": "467"}``); replaces the whole map."""


class CredentialKeyOut(Schema):
    name: str
    secret: bool
    needed_for: list[str]
    """Outbox kinds that cannot be sent without it (``[]``: optional)."""
    set: bool
    value: str | None
    """The value of a non-secret key; ``null`` for secrets (never sent back) and unset keys."""
    doc: str = ""


class CredentialsOut(Schema):
    channel_id: int
    platform: str
    complete: bool
    """Every key that shipment confirmations and stock updates need is set."""
    missing: list[str]
    keys: list[CredentialKeyOut]
    carrier_codes: dict[str, str]
    updated_at: datetime | None


class ListingInput(Input):
    platform_sku_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    """As the platform's order lines name it: ``num_iid/sku_id`` (Taobao), ``goods_id/sku_id`` (PDD),
    ``product_id/sku_id`` (Douyin), the skuId (JD), the variant id (Shopify), ``product[/variation]``
    (WooCommerce)."""
    sku_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    active: bool = True


class ListingOut(Schema):
    id: int
    channel_id: int
    platform_sku_id: str
    sku_id: int
    sku_code: str
    active: bool
    updated_at: datetime


class ListingRowError(Schema):
    row: int
    """Spreadsheet row number (the header is row 1)."""
    field: str
    message: str
    message_zh: str


class ListingImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class QueuedOut(Schema):
    sku_id: int
    sku_code: str
    platform_sku_id: str
    quantity: int
    previous: int | None
    outbox_id: int


class SkippedOut(Schema):
    sku_id: int
    sku_code: str
    platform_sku_id: str
    reason: str


class PublishOut(Schema):
    channel_id: int
    queued: list[QueuedOut]
    """The figures queued now, each in its own outbox row."""
    unchanged: int
    """Platform SKUs whose figure is the one last queued."""
    skipped: list[SkippedOut]


class OutboxRowOut(Schema):
    id: int
    kind: str
    method: str
    reference: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class OutboxRetryInput(Input):
    ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=500)]


class OutboxRetryOut(Schema):
    rearmed: list[int]
    """Rows due again now, with a fresh count of attempts (this channel's dead rows among ``ids``)."""
