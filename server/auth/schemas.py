"""Wire shapes of the auth endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from server.auth.models import Role
from server.lib.schema import Input, Schema

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class LoginInput(Input):
    username: Username
    password: Password
    device_id: str | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime
    user: UserOut
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    all_warehouses: bool
    warehouse_ids: list[int]
    locale: str
    active: bool
    permissions: list[str]
    """Sorted names of what the user's roles allow, so a client can offer only the screens it may use."""


class UserCreate(Input):
    username: Username
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=256)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)]
    display_name: str = ""
    all_warehouses: bool = False
    warehouse_ids: list[int] = msgspec.field(default_factory=list)
    locale: str = "zh-CN"


class UserUpdate(Input):
    display_name: str | None = None
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=256)] | None = None
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)] | None = None
    all_warehouses: bool | None = None
    warehouse_ids: list[int] | None = None
    locale: str | None = None
    active: bool | None = None


class DeviceRegister(Input):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    platform: Annotated[str, msgspec.Meta(max_length=256)] = ""
    warehouse_id: int | None = None


class DeviceOut(Schema):
    id: str
    user_id: int
    name: str
    platform: str
    warehouse_id: int | None
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
