"""Opaque bearer tokens. Only the SHA-256 is stored; revocation is a row update, effective at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import AuthToken, Device, User, UserWarehouse
from server.auth.permissions import permissions_of
from server.db.types import utcnow

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    session: AsyncSession, *, user_id: int, ttl_seconds: int, device_id: str | None = None
) -> tuple[str, AuthToken]:
    """Create a token; the plain value is returned once and never stored."""
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    row = AuthToken(
        token_hash=token_digest(plain),
        user_id=user_id,
        device_id=device_id,
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    session.add(row)
    await session.flush()
    return plain, row


async def resolve_token(session: AsyncSession, plain: str) -> AuthUser | None:
    """The user behind a live token, or None if unknown, expired, revoked, or its device is revoked."""
    now = utcnow()
    row = (
        await session.execute(
            select(AuthToken, User)
            .join(User, User.id == AuthToken.user_id)
            .where(AuthToken.token_hash == token_digest(plain))
        )
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or token.expires_at <= now or not user.active:
        return None
    if token.device_id is not None:
        revoked = await session.scalar(select(Device.revoked_at).where(Device.id == token.device_id))
        if revoked is not None:
            return None
    warehouse_ids = frozenset(
        await session.scalars(select(UserWarehouse.warehouse_id).where(UserWarehouse.user_id == user.id))
    )
    return AuthUser(
        id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        permissions=permissions_of(user.roles),
        all_warehouses=user.all_warehouses,
        warehouse_ids=warehouse_ids,
        device_id=token.device_id,
        token_id=token.id,
    )


async def revoke_token(session: AsyncSession, token_id: int) -> None:
    await session.execute(update(AuthToken).where(AuthToken.id == token_id).values(revoked_at=utcnow()))


async def revoke_device_tokens(session: AsyncSession, device_id: str) -> None:
    await session.execute(
        update(AuthToken)
        .where(AuthToken.device_id == device_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
