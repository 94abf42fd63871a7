"""The user's permissions travel with the login answer, so the phone offers only the screens it may use."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.auth.permissions import ROLE_PERMISSIONS, Permission
from tests.factories import TEST_PASSWORD, bearer, make_user

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]


async def test_login_and_me_list_the_sorted_permissions_of_the_users_roles(
    client: Client, session_factory: Factory
) -> None:
    async with session_factory() as s, s.begin():
        await make_user(s, [Role.picker, Role.packer], username="perm.picker")
    login = await client.post("/api/auth/login", json={"username": "perm.picker", "password": TEST_PASSWORD})
    assert login.status_code == 200, login.text
    expected = sorted(p.value for p in ROLE_PERMISSIONS[Role.picker] | ROLE_PERMISSIONS[Role.packer])
    assert login.json()["user"]["permissions"] == expected
    assert "sync.use" in expected and "shipping.write" in expected
    me = await client.get("/api/auth/me", headers=bearer(login.json()["token"]))
    assert me.json()["permissions"] == expected


async def test_manager_has_no_sync_use_and_admin_has_every_permission(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        _, manager_token = await make_user(s, [Role.manager])
        _, admin_token = await make_user(s, [Role.admin])
    manager = (await client.get("/api/auth/me", headers=bearer(manager_token))).json()["permissions"]
    assert "sync.use" not in manager
    assert "orders.read" in manager
    assert manager == sorted(manager)
    admin = (await client.get("/api/auth/me", headers=bearer(admin_token))).json()["permissions"]
    assert admin == sorted(p.value for p in Permission)
