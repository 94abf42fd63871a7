"""Devices (a lost phone stops working at once) and user administration."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role, User
from tests.factories import TEST_PASSWORD, bearer, make_user, make_warehouse

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]


async def test_revoked_device_loses_its_tokens_and_cannot_log_in(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        _, picker_token = await make_user(s, [Role.picker], warehouses=[wh.warehouse], username="zhao.liu")
        _, supervisor_token = await make_user(s, [Role.supervisor], warehouses=[wh.warehouse])
    registered = await client.post(
        "/api/devices", json={"name": "PDA-07", "warehouse_id": wh.warehouse.id}, headers=bearer(picker_token)
    )
    assert registered.status_code == 201, registered.text
    device_id = registered.json()["id"]
    login = await client.post(
        "/api/auth/login", json={"username": "zhao.liu", "password": TEST_PASSWORD, "device_id": device_id}
    )
    assert login.status_code == 200
    device_token = login.json()["token"]
    assert (await client.get("/api/auth/me", headers=bearer(device_token))).status_code == 200

    revoked = await client.delete(f"/api/devices/{device_id}", headers=bearer(supervisor_token))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (await client.get("/api/auth/me", headers=bearer(device_token))).status_code == 401
    again = await client.post(
        "/api/auth/login", json={"username": "zhao.liu", "password": TEST_PASSWORD, "device_id": device_id}
    )
    assert again.status_code == 401
    assert again.json()["code"] == "device_revoked"


async def test_picker_cannot_revoke_devices_or_register_in_another_warehouse(
    client: Client, session_factory: Factory
) -> None:
    async with session_factory() as s, s.begin():
        here, there = await make_warehouse(s), await make_warehouse(s)
        _, token = await make_user(s, [Role.picker], warehouses=[here.warehouse])
    elsewhere = await client.post(
        "/api/devices", json={"name": "PDA", "warehouse_id": there.warehouse.id}, headers=bearer(token)
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "warehouse_out_of_scope"
    assert (await client.get("/api/devices", headers=bearer(token))).status_code == 403


async def test_admin_creates_scoped_user_who_can_log_in(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        _, admin = await make_user(s, [Role.admin], all_warehouses=True)
    created = await client.post(
        "/api/users",
        json={
            "username": "sun.qi",
            "password": "a-long-password",
            "roles": ["receiver"],
            "warehouse_ids": [wh.warehouse.id],
            "display_name": "孙七",
        },
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.text
    assert created.json()["warehouse_ids"] == [wh.warehouse.id]
    login = await client.post("/api/auth/login", json={"username": "sun.qi", "password": "a-long-password"})
    assert login.status_code == 200
    assert login.json()["user"]["roles"] == ["receiver"]


async def test_user_creation_refuses_bad_input_and_writes_nothing(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        _, admin = await make_user(s, [Role.admin], all_warehouses=True, username="root")
    cases = [
        ({"username": "x", "password": "short", "roles": ["picker"]}, 400, "password"),
        ({"username": "x", "password": "long-enough", "roles": ["janitor"]}, 400, "roles"),
        ({"username": "root", "password": "long-enough", "roles": ["picker"]}, 409, "username"),
        (
            {"username": "y", "password": "long-enough", "roles": ["picker"], "warehouse_ids": [999]},
            422,
            "warehouse_ids",
        ),
    ]
    for body, status, field in cases:
        response = await client.post("/api/users", json=body, headers=bearer(admin))
        assert response.status_code == status, (body, response.text)
        assert field in (response.json().get("field") or ""), response.json()
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 1


async def test_picker_cannot_edit_users(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        user, token = await make_user(s, [Role.picker])
    response = await client.patch(f"/api/users/{user.id}", json={"roles": ["admin"]}, headers=bearer(token))
    assert response.status_code == 403
    async with session_factory() as s:
        assert (await s.get(User, user.id)).roles == ["picker"]  # type: ignore[union-attr]
