"""What answers without a login: the PWA shell, the API docs, health. Everything else needs one."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient


async def test_app_shell_loads_without_login(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "仓库" in response.text


async def test_openapi_schema_is_published_at_schema(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert "/api/auth/login" in spec["paths"]
    assert spec["paths"]["/api/auth/login"]["post"]["operationId"] == "Login"


async def test_health_names_the_backend(client: AsyncTestClient[Litestar], backend: object) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["database"] in {"sqlite", "postgresql"}


async def test_unknown_api_path_is_a_structured_404_after_login_check(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/does-not-exist")
    assert response.status_code in {401, 404}
    assert response.json()["code"] in {"token_missing", "not_found"}
