"""Wire shapes of ``/api/push``.

The subscription body is exactly what the browser's ``PushSubscription.toJSON()`` gives, so the
phone posts it untouched; that is why ``expirationTime`` keeps the browser's camelCase (the one
exception to ADR-0002), next to our own optional ``warehouse_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

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
