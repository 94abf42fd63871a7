"""Which device is syncing, and what the server knows about it now.

A revoked phone's token no longer opens any other door, but its pushes are still taken in and
*held* for a supervisor (SPEC.md §5.7): a lost phone found in a drawer must not lose the scans made
before it was reported lost, nor apply them unseen.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import AuthToken, Device, User
from server.auth.permissions import Permission, permissions_of
from server.auth.tokens import token_digest
from server.db.types import utcnow
from server.lib.errors import Forbidden, Unauthorized
from sync.push import DeviceContext


def bearer_token(request: Request[Any, Any, Any]) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token", message_zh="缺少登录令牌", code="token_missing")
    return token.strip()


async def device_for_push(session: AsyncSession, token: str) -> DeviceContext:
    """The pushing device; a token revoked together with its device still identifies it (held ops)."""
    now = utcnow()
    row = (
        await session.execute(
            select(AuthToken, User, Device)
            .join(User, User.id == AuthToken.user_id)
            .outerjoin(Device, Device.id == AuthToken.device_id)
            .where(AuthToken.token_hash == token_digest(token))
        )
    ).first()
    if row is None:
        raise Unauthorized("token is invalid; log in again", message_zh="登录已失效，请重新登录", code="token_invalid")
    auth, user, device = row
    if device is None:
        raise Forbidden(
            "sync needs a registered device: register this phone first",
            message_zh="同步需要先注册设备",
            code="device_required",
        )
    revoked_with_device = device.revoked_at is not None and auth.revoked_at is not None
    if auth.expires_at <= now or not user.active or (auth.revoked_at is not None and not revoked_with_device):
        raise Unauthorized(
            "token is invalid, expired or revoked; log in again",
            message_zh="登录已失效，请重新登录",
            code="token_invalid",
        )
    if Permission.sync_use not in permissions_of(user.roles):
        raise Forbidden("your role may not sync warehouse work", message_zh="当前角色无权同步", code="forbidden")
    return DeviceContext(
        device_id=device.id,
        user_id=user.id,
        warehouse_id=device.warehouse_id,
        revoked=device.revoked_at is not None,
        registered_at=device.created_at,
    )


async def device_warehouse(session: AsyncSession, device_id: str | None) -> tuple[str, int]:
    """For pulls and pokes: the caller's live device and the warehouse it is assigned to now."""
    if device_id is None:
        raise Forbidden(
            "sync needs a registered device: register this phone first",
            message_zh="同步需要先注册设备",
            code="device_required",
        )
    warehouse_id = await session.scalar(select(Device.warehouse_id).where(Device.id == device_id))
    if warehouse_id is None:
        raise Forbidden(
            "this device is not assigned to a warehouse", message_zh="设备未分配仓库", code="device_has_no_warehouse"
        )
    return device_id, warehouse_id
