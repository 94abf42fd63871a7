"""Subscribing a phone, unsubscribing it, and its owner's quiet hours: the rules behind ``/api/push``.

A subscription is checked the way a push would use it: the endpoint must be a URL we are willing to
POST to, ``p256dh`` a point on P-256 and ``auth`` 16 bytes. A bad one is refused now, with the field
named, rather than failing at every push later.
"""

from __future__ import annotations

import binascii
import ipaddress
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import Device
from server.db.types import utcnow
from server.lib.errors import NotFound, ValidationFailed
from server.notify.models import (
    DeliveryStatus,
    MessageStatus,
    PushDelivery,
    PushMessage,
    PushPreferences,
    PushSubscription,
)
from server.notify.quiet import in_quiet_hours, parse_hhmm, valid_zone
from server.notify.schemas import PreferencesInput, PreferencesOut, SubscriptionInput, SubscriptionOut
from server.notify.vapid import b64url_decode

P256DH_BYTES = 65
AUTH_BYTES = 16


def _invalid(field: str, message: str, message_zh: str) -> ValidationFailed:
    return ValidationFailed(message, message_zh=message_zh, field=field, code="invalid_subscription")


def check_endpoint(endpoint: str) -> None:
    """HTTPS to a named host (every browser's push service is one). A literal IP address is refused —
    it would let any logged-in user make the server POST into its own network — except loopback,
    which is also allowed over plain HTTP for a push service on this machine (tests, development)."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    loopback = host == "localhost" or (address is not None and address.is_loopback)
    if parts.scheme not in {"https", "http"} or not host or parts.username or parts.password:
        raise _invalid("endpoint", "endpoint must be an https:// URL", "endpoint 须为 https:// 地址")
    if parts.scheme == "http" and not loopback:
        raise _invalid("endpoint", "endpoint must use https", "endpoint 须使用 https")
    if address is not None and not loopback:
        raise _invalid(
            "endpoint",
            "endpoint must name a push service host, not an IP address",
            "endpoint 须为推送服务域名，不能是 IP 地址",
        )


def _decode(field: str, value: str) -> bytes:
    try:
        return b64url_decode(value)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(field, f"{field} is not base64url", f"{field} 不是 base64url 编码") from exc


def check_keys(p256dh: str, auth: str) -> None:
    if any(c in p256dh + auth for c in "+/"):
        raise _invalid("keys", "keys must be base64url (- and _, not + and /)", "keys 须为 base64url 编码（用 - 和 _）")
    point = _decode("keys.p256dh", p256dh)
    if len(point) != P256DH_BYTES or point[0] != 4:
        raise _invalid(
            "keys.p256dh",
            f"p256dh must be a 65-byte uncompressed P-256 point, got {len(point)} bytes",
            f"p256dh 须为 65 字节的未压缩 P-256 公钥，实际 {len(point)} 字节",
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise _invalid("keys.p256dh", "p256dh is not a point on P-256", "p256dh 不是有效的 P-256 公钥") from exc
    secret = _decode("keys.auth", auth)
    if len(secret) != AUTH_BYTES:
        raise _invalid(
            "keys.auth",
            f"auth must be {AUTH_BYTES} bytes, got {len(secret)}",
            f"auth 须为 {AUTH_BYTES} 字节，实际 {len(secret)} 字节",
        )


def subscription_out(row: PushSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=row.id,
        endpoint=row.endpoint,
        user_id=row.user_id,
        device_id=row.device_id,
        warehouse_id=row.warehouse_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _warehouse_of(session: AsyncSession, user: AuthUser, data: SubscriptionInput) -> int | None:
    if data.warehouse_id is not None:
        user.require_warehouse(data.warehouse_id)
        return data.warehouse_id
    if user.device_id is None:
        return None
    device = await session.get(Device, user.device_id)
    return device.warehouse_id if device is not None else None


async def subscribe(session: AsyncSession, user: AuthUser, data: SubscriptionInput) -> tuple[PushSubscription, bool]:
    """Save the calling phone's subscription; the same endpoint again updates it (new keys, or another
    user now logged in on that browser). Answers the row and whether it is new."""
    check_endpoint(data.endpoint)
    check_keys(data.keys.p256dh, data.keys.auth)
    expires_at = None
    if data.expiration_time is not None:
        try:
            expires_at = datetime.fromtimestamp(data.expiration_time / 1000, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise _invalid("expirationTime", "expirationTime is out of range", "expirationTime 超出范围") from exc
    warehouse_id = await _warehouse_of(session, user, data)
    row = await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == data.endpoint).with_for_update()
    )
    created = row is None
    if row is None:
        row = PushSubscription(endpoint=data.endpoint)
        session.add(row)
    elif row.user_id != user.id:  # another person on that browser must not get the last one's news
        await session.execute(
            delete(PushDelivery).where(
                PushDelivery.subscription_id == row.id, PushDelivery.status == DeliveryStatus.waiting
            )
        )
        await session.execute(
            delete(PushMessage).where(
                PushMessage.subscription_id == row.id,
                PushMessage.status.in_((MessageStatus.pending, MessageStatus.failed)),
            )
        )
    row.p256dh = data.keys.p256dh.rstrip("=")
    row.auth = data.keys.auth.rstrip("=")
    row.expires_at = expires_at
    row.user_id = user.id
    row.device_id = user.device_id
    row.warehouse_id = warehouse_id
    row.updated_at = utcnow()
    await session.flush()
    return row, created


async def unsubscribe(session: AsyncSession, user: AuthUser, endpoint: str) -> None:
    """Forget the caller's subscription (logging out, or turning notifications off)."""
    gone = await session.execute(
        delete(PushSubscription)
        .where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id)
        .returning(PushSubscription.id)
    )
    if gone.first() is None:
        raise NotFound(
            "no subscription of yours has that endpoint",
            message_zh="未找到您的该推送订阅",
            field="endpoint",
            code="subscription_not_found",
        )


def preferences_out(row: PushPreferences | None, now: datetime) -> PreferencesOut:
    if row is None:
        return PreferencesOut(quiet_start=None, quiet_end=None, timezone="Asia/Shanghai", quiet_now=False)
    return PreferencesOut(
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        timezone=row.timezone,
        quiet_now=in_quiet_hours(row.quiet_start, row.quiet_end, row.timezone, now),
    )


async def save_preferences(session: AsyncSession, user: AuthUser, data: PreferencesInput) -> PushPreferences:
    for field, value in (("quiet_start", data.quiet_start), ("quiet_end", data.quiet_end)):
        if value is not None and parse_hhmm(value) is None:
            raise ValidationFailed(
                f"{field} must be HH:MM (00:00 to 23:59)",
                message_zh=f"{field} 须为 HH:MM（00:00 至 23:59）",
                field=field,
            )
    if (data.quiet_start is None) != (data.quiet_end is None):
        raise ValidationFailed(
            "give both quiet_start and quiet_end, or neither",
            message_zh="quiet_start 与 quiet_end 须同时填写或同时留空",
            field="quiet_end" if data.quiet_end is None else "quiet_start",
        )
    if not valid_zone(data.timezone):
        raise ValidationFailed(
            f"{data.timezone!r} is not an IANA time zone (for example Asia/Shanghai)",
            message_zh="时区无效，请使用 IANA 时区名（如 Asia/Shanghai）",
            field="timezone",
        )
    row = await session.get(PushPreferences, user.id, with_for_update=True)
    if row is None:
        row = PushPreferences(user_id=user.id)
        session.add(row)
    row.quiet_start, row.quiet_end, row.timezone = data.quiet_start, data.quiet_end, data.timezone
    row.updated_at = utcnow()
    await session.flush()
    return row
