"""HTTP face of auth: login/logout/me, user administration, device registration and revocation."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import Dependency, Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth import service
from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.models import Device, LoginAttempt, User
from server.auth.permissions import Permission
from server.auth.schemas import DeviceOut, DeviceRegister, LoginInput, TokenOut, UserCreate, UserOut, UserUpdate
from server.auth.tokens import revoke_token
from server.lib.errors import NotFound, Unauthorized
from server.lib.pagination import Page, PageParams, paginate
from server.settings import Settings


def _device_out(d: Device) -> DeviceOut:
    return DeviceOut(
        id=d.id,
        user_id=d.user_id,
        name=d.name,
        platform=d.platform,
        warehouse_id=d.warehouse_id,
        created_at=d.created_at,
        last_seen_at=d.last_seen_at,
        revoked_at=d.revoked_at,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]  # noqa: RUF012

    @post("/login", operation_id="Login", status_code=200)
    async def login(
        self,
        data: LoginInput,
        request: Request[None, None, State],
        session_factory: Annotated[async_sessionmaker[AsyncSession], Dependency(skip_validation=True)],
        settings: Annotated[Settings, Dependency(skip_validation=True)],
    ) -> TokenOut:
        """Exchange a user name and password for a bearer token (rate-limited per name and address).

        Runs its own transactions: a failed attempt must be recorded even though the request fails.
        """
        remote = request.client.host if request.client else ""
        async with session_factory() as session:
            try:
                async with session.begin():
                    token, row, user = await service.login(
                        session,
                        settings,
                        username=data.username,
                        password=data.password,
                        remote_addr=remote,
                        device_id=data.device_id,
                    )
                    out = await service.user_out(session, user)
            except Unauthorized:
                async with session.begin():
                    session.add(LoginAttempt(username=data.username, remote_addr=remote, succeeded=False))
                raise
        return TokenOut(token=token, expires_at=row.expires_at, user=out)

    @post("/logout", operation_id="Logout", status_code=204)
    async def logout(self, db_session: AsyncSession, current_user: AuthUser) -> None:
        """Revoke the token used for this request."""
        await revoke_token(db_session, current_user.token_id)

    @get("/me", operation_id="GetMe")
    async def me(self, db_session: AsyncSession, current_user: AuthUser) -> UserOut:
        user = await db_session.get(User, current_user.id)
        assert user is not None
        return await service.user_out(db_session, user)


class UserController(Controller):
    path = "/api/users"
    tags = ["auth"]  # noqa: RUF012
    guards = [requires(Permission.users_manage)]  # noqa: RUF012

    @get("/", operation_id="ListUsers")
    async def list_users(
        self,
        db_session: AsyncSession,
        page: PageParams,
        role: Annotated[str | None, Parameter(description="only users with this role")] = None,
        active: bool | None = None,
        q: Annotated[str | None, Parameter(description="user name contains")] = None,
    ) -> Page[UserOut]:
        statement = select(User).order_by(User.id)
        if active is not None:
            statement = statement.where(User.active.is_(active))
        if q:
            statement = statement.where(User.username.contains(q))
        result = await paginate(db_session, statement, page, lambda u: u)
        items = [await service.user_out(db_session, u) for u in result.items]
        if role:
            items = [u for u in items if role in u.roles]
        return Page(items=items, total=result.total, limit=result.limit, offset=result.offset)

    @post("/", operation_id="CreateUser")
    async def create_user(self, db_session: AsyncSession, data: UserCreate) -> UserOut:
        return await service.user_out(db_session, await service.create_user(db_session, data))

    @get("/{user_id:int}", operation_id="GetUser")
    async def get_user(self, db_session: AsyncSession, user_id: int) -> UserOut:
        user = await db_session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found", message_zh="用户不存在", field="user_id")
        return await service.user_out(db_session, user)

    @patch("/{user_id:int}", operation_id="UpdateUser")
    async def update_user(self, db_session: AsyncSession, user_id: int, data: UserUpdate) -> UserOut:
        return await service.user_out(db_session, await service.update_user(db_session, user_id, data))


class DeviceController(Controller):
    path = "/api/devices"
    tags = ["auth"]  # noqa: RUF012

    @post("/", operation_id="RegisterDevice", guards=[requires(Permission.devices_register)])
    async def register_device(
        self, db_session: AsyncSession, current_user: AuthUser, data: DeviceRegister
    ) -> DeviceOut:
        """Register the calling phone to the calling user; log in again with its id to bind tokens."""
        return _device_out(await service.register_device(db_session, current_user, data))

    @get("/", operation_id="ListDevices", guards=[requires(Permission.devices_manage)])
    async def list_devices(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        user_id: int | None = None,
        revoked: bool | None = None,
    ) -> Page[DeviceOut]:
        statement = select(Device).order_by(Device.created_at, Device.id)
        if user_id is not None:
            statement = statement.where(Device.user_id == user_id)
        if revoked is not None:
            statement = statement.where(Device.revoked_at.is_not(None) if revoked else Device.revoked_at.is_(None))
        scope = current_user.visible_warehouses()
        if scope is not None:
            statement = statement.where(Device.warehouse_id.in_(scope))
        return await paginate(db_session, statement, page, _device_out)

    @delete(
        "/{device_id:str}", operation_id="RevokeDevice", guards=[requires(Permission.devices_manage)], status_code=200
    )
    async def revoke_device(self, db_session: AsyncSession, current_user: AuthUser, device_id: str) -> DeviceOut:
        """Revoke a lost or retired phone: its tokens stop working at once."""
        return _device_out(await service.revoke_device(db_session, current_user, device_id))
