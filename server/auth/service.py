"""Login with a rate limit, user administration, and device registration and revocation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.auth.models import AuthToken, Device, LoginAttempt, User, UserWarehouse
from server.auth.passwords import hash_password, verify_password
from server.auth.permissions import permissions_of
from server.auth.schemas import DeviceRegister, UserCreate, UserOut, UserUpdate
from server.auth.tokens import issue_token, revoke_device_tokens
from server.db.types import utcnow
from server.lib.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from server.settings import Settings
from server.warehouse.models import Warehouse

IP_FAILURE_FACTOR = 4
"""An address may fail this many times more than one user name (a shared warehouse NAT)."""


async def check_rate_limit(session: AsyncSession, settings: Settings, *, username: str, remote_addr: str) -> None:
    """Refuse (429, with Retry-After) after too many recent failures for this name or address."""
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at >= since, LoginAttempt.succeeded.is_(False))
    )
    by_name = await session.scalar(failures.where(LoginAttempt.username == username))
    by_addr = await session.scalar(failures.where(LoginAttempt.remote_addr == remote_addr)) if remote_addr else 0
    if (by_name or 0) >= settings.login_max_failures or (
        by_addr or 0
    ) >= settings.login_max_failures * IP_FAILURE_FACTOR:
        raise TooManyRequests(
            "too many failed logins; wait and try again",
            message_zh="登录失败次数过多，请稍后再试",
            code="login_rate_limited",
            detail={"retry_after": settings.login_window_seconds},
        )


async def login(
    session: AsyncSession,
    settings: Settings,
    *,
    username: str,
    password: str,
    remote_addr: str,
    device_id: str | None,
) -> tuple[str, AuthToken, User]:
    """Check the password and issue a token; the caller records a failed attempt in its own transaction.

    A wrong name and a wrong password get the same answer so names cannot be probed.
    """
    await check_rate_limit(session, settings, username=username, remote_addr=remote_addr)
    user = await session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    if not ok or user is None:
        raise Unauthorized("wrong user name or password", message_zh="用户名或密码错误", code="bad_credentials")
    if device_id is not None:
        device = await session.get(Device, device_id)
        if device is None or device.user_id != user.id or device.revoked_at is not None:
            raise Unauthorized(
                "this device is not registered to you or was revoked",
                message_zh="设备未登记或已被停用",
                code="device_revoked",
                field="device_id",
            )
        device.last_seen_at = utcnow()
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=True))
    token, row = await issue_token(
        session, user_id=user.id, ttl_seconds=settings.token_ttl_seconds, device_id=device_id
    )
    return token, row, user


async def user_out(session: AsyncSession, user: User) -> UserOut:
    ids = list(await session.scalars(select(UserWarehouse.warehouse_id).where(UserWarehouse.user_id == user.id)))
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        all_warehouses=user.all_warehouses,
        warehouse_ids=sorted(ids),
        locale=user.locale,
        active=user.active,
        permissions=sorted(p.value for p in permissions_of(list(user.roles))),
    )


async def _set_warehouses(session: AsyncSession, user_id: int, warehouse_ids: list[int]) -> None:
    wanted = set(warehouse_ids)
    found = set(await session.scalars(select(Warehouse.id).where(Warehouse.id.in_(wanted)))) if wanted else set()
    missing = sorted(wanted - found)
    if missing:
        raise ValidationFailed(
            f"unknown warehouse ids: {missing}",
            message_zh="仓库不存在",
            field="warehouse_ids",
            code="unknown_warehouse",
        )
    await session.execute(delete(UserWarehouse).where(UserWarehouse.user_id == user_id))
    session.add_all(UserWarehouse(user_id=user_id, warehouse_id=w) for w in sorted(wanted))


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    if await session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(
            f"user {data.username!r} exists", message_zh="用户名已存在", field="username", code="username_taken"
        )
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        roles=[r.value for r in data.roles],
        all_warehouses=data.all_warehouses,
        locale=data.locale,
    )
    session.add(user)
    await session.flush()
    await _set_warehouses(session, user.id, data.warehouse_ids)
    await session.flush()
    return user


async def update_user(session: AsyncSession, user_id: int, data: UserUpdate) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", message_zh="用户不存在", field="user_id")
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.password is not None:
        user.password_hash = hash_password(data.password)
    if data.roles is not None:
        user.roles = [r.value for r in data.roles]
    if data.all_warehouses is not None:
        user.all_warehouses = data.all_warehouses
    if data.locale is not None:
        user.locale = data.locale
    if data.active is not None:
        user.active = data.active
    if data.warehouse_ids is not None:
        await _set_warehouses(session, user.id, data.warehouse_ids)
    await session.flush()
    return user


async def register_device(session: AsyncSession, user: AuthUser, data: DeviceRegister) -> Device:
    """A phone gets a server-made id; sync ops later carry it and revocation refers to it."""
    if data.warehouse_id is not None:
        user.require_warehouse(data.warehouse_id)
        if await session.get(Warehouse, data.warehouse_id) is None:
            raise ValidationFailed(
                "unknown warehouse", message_zh="仓库不存在", field="warehouse_id", code="unknown_warehouse"
            )
    device = Device(
        id=str(uuid.uuid4()), user_id=user.id, name=data.name, platform=data.platform, warehouse_id=data.warehouse_id
    )
    session.add(device)
    await session.flush()
    return device


async def revoke_device(session: AsyncSession, actor: AuthUser, device_id: str) -> Device:
    """A lost phone: the device and every token bound to it stop working immediately."""
    device = await session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found", message_zh="设备不存在", field="device_id")
    if device.warehouse_id is not None:
        actor.require_warehouse(device.warehouse_id)
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_by_user_id = actor.id
        await revoke_device_tokens(session, device_id)
    await session.flush()
    return device
