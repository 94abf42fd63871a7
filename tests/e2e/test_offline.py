"""The service worker keeps the whole app shell: with the network gone the app still starts, and
the barcode decoder's .wasm (with every other built file) is already in the cache."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CACHED_PATHS = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith("cangku-shell-"));
  const paths = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return { names, paths };
}"""


def _built_files(live_server: LiveServer) -> set[str]:
    """What the worker must hold, read from the build folder itself rather than from sw.js."""
    return {
        "/" + path.relative_to(live_server.dist).as_posix()
        for path in live_server.dist.rglob("*")
        if path.is_file() and path.suffix != ".map" and path.name != "sw.js"
    }


def test_app_shell_starts_offline_from_the_service_worker(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    # The very first install claims the page it was installed from.
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    cached = page.evaluate(CACHED_PATHS)
    assert len(cached["names"]) == 1, cached["names"]
    expected = _built_files(live_server)
    assert "/index.html" in expected and "/manifest.webmanifest" in expected
    assert sorted(expected - set(cached["paths"])) == []
    wasm = sorted(path for path in expected if path.endswith(".wasm"))
    assert set(wasm) <= set(cached["paths"])  # the scanner's decoder, once the build bundles it

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.ok
    assert response.from_service_worker
    assert page.title() == "仓库 Cangku"
    assert page.locator("#app").count() == 1

    # Every hashed asset (and any .wasm) answers from the cache while offline.
    for path in sorted(p for p in expected if p.startswith("/assets/")):
        status = page.evaluate("async (path) => (await fetch(path)).status", path)
        assert status == 200, path
    # A page outside the app falls back to the shell offline ...
    schema = page.goto("/schema")
    assert schema is not None and schema.from_service_worker
    assert page.title() == "仓库 Cangku"
    # ... but the API is never answered from a cache.
    error = page.evaluate("fetch('/api/health').then(() => 'answered', (e) => e.name)")
    assert error == "TypeError"


def test_api_answers_are_never_cached(page: Page) -> None:
    page.goto("/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("fetch('/api/health').then((r) => r.status)") == 200
    paths = page.evaluate(CACHED_PATHS)["paths"]
    assert not [path for path in paths if path.startswith("/api/")]
