"""End-to-end fixtures: the real server on the built PWA, driven by Debian's headless Chromium.

Recipes from shared/design/TESTING-RECIPES.md: Playwright (pip, pinned) drives /usr/bin/chromium
through ``executable_path``; ``playwright install`` is never run (it downloads a browser this
machine cannot reach). One server per session (``cangku run`` in a subprocess on a free port, a
fresh SQLite database with the demo data, ``CANGKU_PWA_DIST`` on a copy of pwa/dist that a test
may change, say to publish a "new version"), one browser per session, a fresh context per test.

These tests run once, not per database backend, and share one xdist group (``e2e``), so under
``pytest -n 2 --dist loadgroup`` they run in order on one worker with one server.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.live_server import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    TEST_HOOKS_SCRIPT,
    LiveServer,
    ServerDidNotStart,
    ensure_pwa_built,
    running_server,
)
from tests.e2e.scenario import Scenario, build_scenario

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "TEST_HOOKS_SCRIPT", "LiveServer"]  # what the tests import from here


@pytest.fixture(scope="session")
def pwa_dist() -> Path:
    """pwa/dist as `make test` built it; built here when missing (a bare pytest run)."""
    return ensure_pwa_built()


@pytest.fixture(scope="session")
def served_dist(pwa_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the server serves: a copy, so a test can change files (sw.js) without touching the build."""
    target = tmp_path_factory.mktemp("pwa") / "dist"
    shutil.copytree(pwa_dist, target)
    return target


@pytest.fixture(scope="session")
def live_server(served_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`cangku run` on a fresh SQLite database: migrations, demo data (logins as printed by the
    command, password ``cangku-demo``) and the PWA, as a person gets them from `make run`."""
    try:
        with running_server(served_dist, tmp_path_factory.mktemp("server")) as server:
            yield server
    except ServerDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run infra/ensure-debian-packages.sh (never `playwright install`)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh incognito context: empty caches, no service worker yet, test hooks on."""
    ctx = browser.new_context(base_url=live_server.url)
    ctx.add_init_script(TEST_HOOKS_SCRIPT)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def persistent_context(playwright: Playwright, live_server: LiveServer, tmp_path: Path) -> Iterator[BrowserContext]:
    """A real profile on disk (a temp user_data_dir): Chromium judges installability only outside
    incognito, and a profile can be reopened to see what survived."""
    ctx = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, base_url=live_server.url
    )
    ctx.add_init_script(TEST_HOOKS_SCRIPT)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def scenario(live_server: LiveServer) -> Scenario:
    """The labelled bins, stock and tasks of the phone tests (built once: SKU codes are unique)."""
    return build_scenario(live_server.url, live_server.database_url)
