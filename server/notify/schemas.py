"""Wire shapes of ``/api/push``.

The subscription body is exactly what the browser's ``PushSubscription.toJSON()`` gives, so the
phone posts it untouched; that is why ``expirationTime`` keeps the browser's camelCase (the one
exception to ADR-0002), next to our own optional ``warehouse_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from server.lib.schema import Input, Schema


class PushKeyOut(Schema):
    application_server_key: str
    """base64url (no padding) of the uncompressed P-256 point: pass it to ``pushManager.subscribe``."""


class SubscriptionKeys(Input):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class SubscriptionInput(Input):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    keys: SubscriptionKeys
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")
    """Milliseconds since the epoch, as the browser gives it; ``null`` for most push services."""
    warehouse_id: int | None = None
    """The site this phone works in; default: the device's, else every site the user may see."""


class SubscriptionOut(Schema):
    id: int
    endpoint: str
    user_id: int
    device_id: str | None
    warehouse_id: int | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PreferencesInput(Input):
    quiet_start: str | None = None
    """``HH:MM`` local time; ``null`` with ``quiet_end`` for no quiet hours."""
    quiet_end: str | None = None
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "Asia/Shanghai"


class PreferencesOut(Schema):
    quiet_start: str | None
    quiet_end: str | None
    timezone: str
    quiet_now: bool
    """Whether non-critical notifications are being held right now."""


# --- push rules (ADR-0020) -------------------------------------------------------------------------


class RuleInput(Input):
    """What to change in one rule kind; a field left out keeps the value in effect now."""

    warehouse_id: int | None = None
    """Override for this warehouse only; ``null``: the installation's default."""
    enabled: bool | None = None
    roles: Annotated[list[str], msgspec.Meta(max_length=8)] | None = None
    params: dict[str, Any] | None = None
    """Merged over the parameters in effect, then checked as a whole."""
    urgency: str | None = None
    critical: bool | None = None


class ParamHelpOut(Schema):
    name: str
    label_en: str
    label_zh: str
    help_en: str
    help_zh: str


class RuleOut(Schema):
    kind: str
    group: str
    """``urgent_orders``, ``supervisor`` or ``stock``: how the settings screen groups them."""
    label_en: str
    label_zh: str
    description_en: str
    description_zh: str
    warehouse_id: int | None
    """The scope asked about (``null``: the installation's default)."""
    source: str
    """Where the settings in effect come from: ``built_in``, ``default`` (the installation's row) or
    ``warehouse`` (this warehouse's override)."""
    enabled: bool
    roles: list[str]
    params: dict[str, Any]
    urgency: str
    critical: bool
    params_schema: dict[str, Any]
    params_help: list[ParamHelpOut]
    built_in: dict[str, Any]
    """The defaults in code: ``{enabled, roles, params, urgency, critical}``."""
    overridden_in: list[int]
    """Warehouses with their own settings for this kind."""
    updated_at: datetime | None
    updated_by_user_id: int | None


# --- the notification centre ----------------------------------------------------------------------


class InboxItemOut(Schema):
    id: int
    kind: str
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    url: str
    urgency: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    items: list[InboxItemOut]
    unread: int


class ReadInput(Input):
    """Either ``ids`` (the caller's own; others are ignored) or ``all: true``."""

    ids: Annotated[list[int], msgspec.Meta(max_length=500)] | None = None
    all: bool = False


class UnreadOut(Schema):
    unread: int
