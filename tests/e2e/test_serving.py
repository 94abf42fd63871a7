"""How the server hands out the built PWA: the headers that make updates and offline work."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_worker_and_shell_are_always_revalidated(live_server: LiveServer) -> None:
    sw = httpx.get(f"{live_server.url}/sw.js")
    assert sw.status_code == 200
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["service-worker-allowed"] == "/"
    assert sw.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    for path in ("/", "/index.html", "/manifest.webmanifest", "/icons/icon-192.png"):
        assert httpx.get(f"{live_server.url}{path}").headers["cache-control"] == "no-cache", path


def test_manifest_wasm_and_hashed_assets(live_server: LiveServer) -> None:
    manifest = httpx.get(f"{live_server.url}/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assets = sorted(p for p in (live_server.dist / "assets").iterdir() if not p.name.endswith(".map"))
    assert assets, "the build has no /assets/"
    for asset in assets:
        response = httpx.get(f"{live_server.url}/assets/{asset.name}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        if asset.suffix == ".wasm":
            assert response.headers["content-type"] == "application/wasm"


def test_unknown_paths_give_the_shell_to_navigations_only(live_server: LiveServer) -> None:
    navigate = {"sec-fetch-mode": "navigate", "accept": "text/html"}
    page = httpx.get(f"{live_server.url}/no/such/page", headers=navigate)
    assert page.status_code == 200
    assert '<link rel="manifest"' in page.text
    assert page.headers["cache-control"] == "no-cache"
    asset = httpx.get(f"{live_server.url}/assets/missing-0000.js")
    assert asset.status_code == 404
    assert asset.json()["code"] == "not_found"
    api = httpx.get(f"{live_server.url}/api/no-such-thing", headers=navigate)
    assert api.status_code in {401, 404}
    assert api.headers["content-type"].startswith("application/json")
