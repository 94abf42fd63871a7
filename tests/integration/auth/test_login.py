"""Login, tokens, expiry, logout and the login rate limit, on both backends."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import AuthToken, LoginAttempt, Role
from server.db.types import utcnow
from tests.factories import TEST_PASSWORD, bearer, make_user


async def test_login_with_right_password_gives_working_token(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        await make_user(s, [Role.picker], username="li.lei")
    response = await client.post("/api/auth/login", json={"username": "li.lei", "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    me = await client.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "li.lei"
    assert me.json()["roles"] == ["picker"]


async def test_login_with_wrong_password_is_refused_and_recorded(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        await make_user(s, [Role.picker], username="han.meimei")
    response = await client.post("/api/auth/login", json={"username": "han.meimei", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    async with session_factory() as s:
        failures = await s.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
        )
    assert failures == 1


async def test_login_is_rate_limited_after_repeated_failures(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        await make_user(s, [Role.picker], username="wang.wu")
    for _ in range(5):
        r = await client.post("/api/auth/login", json={"username": "wang.wu", "password": "wrong-guess"})
        assert r.status_code == 401
    # Even the right password is refused while the window lasts.
    r = await client.post("/api/auth/login", json={"username": "wang.wu", "password": TEST_PASSWORD})
    assert r.status_code == 429
    assert r.json()["code"] == "login_rate_limited"
    assert int(r.headers["retry-after"]) > 0


async def test_expired_token_is_refused(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        _, token = await make_user(s, [Role.picker])
        await s.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await client.get("/api/auth/me", headers=bearer(token))
    assert r.status_code == 401
    assert r.json()["code"] == "token_invalid"


async def test_missing_token_is_refused(client: AsyncTestClient[Litestar]) -> None:
    r = await client.get("/api/auth/me")
    assert r.status_code == 401
    assert r.json()["code"] == "token_missing"


async def test_logout_revokes_the_token(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        _, token = await make_user(s, [Role.packer])
    assert (await client.post("/api/auth/logout", headers=bearer(token))).status_code == 204
    assert (await client.get("/api/auth/me", headers=bearer(token))).status_code == 401


async def test_malformed_login_body_names_the_field(client: AsyncTestClient[Litestar]) -> None:
    r = await client.post("/api/auth/login", json={"username": "x"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid_input"
    assert body["field"] == "password"
