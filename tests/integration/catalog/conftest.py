"""Fixtures for the catalog API tests: one user per role and an API driver acting as a manager."""

from __future__ import annotations

import pytest

from server.auth.models import Role, User
from server.auth.tokens import issue_token
from tests.factories import bearer
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory

ROLES = (Role.picker, Role.supervisor, Role.finance, Role.manager)


@pytest.fixture
async def actors(session_factory: Factory) -> Actors:
    """Users with tokens but no usable password: these tests never log in, and argon2 costs 0.4 s a hash."""
    headers: dict[str, dict[str, str]] = {}
    async with session_factory() as s, s.begin():
        for role in ROLES:
            user = User(
                username=f"catalog-{role.value}",
                display_name=role.value,
                password_hash="!",
                roles=[role.value],
                all_warehouses=True,
            )
            s.add(user)
            await s.flush()
            token, _ = await issue_token(s, user_id=user.id, ttl_seconds=3600)
            headers[role.value] = bearer(token)
    return Actors(**headers)


@pytest.fixture
def catalog(client: Client, actors: Actors) -> CatalogApi:
    return CatalogApi(client, actors.manager)
