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

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.scenario import Scenario, build_scenario

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
CHROMIUM = Path(os.environ.get("CANGKU_E2E_CHROMIUM", "/usr/bin/chromium"))
# TESTING-RECIPES §1. Playwright adds --no-sandbox itself (needed as root).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# src/pwa/update.ts exposes window.__cangkuTest only when this is set.
TEST_HOOKS_SCRIPT = "try { localStorage.setItem('cangku.testHooks', '1'); } catch (e) {}"
SERVER_START_TIMEOUT_S = 120.0


def _build_is_usable(dist: Path) -> bool:
    return (dist / "index.html").is_file() and (dist / "sw.js").is_file()


@pytest.fixture(scope="session")
def pwa_dist() -> Path:
    """pwa/dist as `make test` built it; built here when missing (a bare pytest run)."""
    dist = PWA / "dist"
    if not _build_is_usable(dist):
        subprocess.run(["npm", "run", "build"], cwd=PWA, check=True)
    assert _build_is_usable(dist), "npm run build did not produce pwa/dist/index.html and sw.js"
    return dist


@pytest.fixture(scope="session")
def served_dist(pwa_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the server serves: a copy, so a test can change files (sw.js) without touching the build."""
    target = tmp_path_factory.mktemp("pwa") / "dist"
    shutil.copytree(pwa_dist, target)
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    url: str
    dist: Path
    log: Path
    database_url: str


@pytest.fixture(scope="session")
def live_server(served_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`cangku run` on a fresh SQLite database: migrations, demo data (logins as printed by the
    command, password ``cangku-demo``) and the PWA, as a person gets them from `make run`."""
    workdir = tmp_path_factory.mktemp("server")
    port = _free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'cangku.sqlite3'}"
    env = {
        **os.environ,
        "CANGKU_DATABASE_URL": database_url,
        "CANGKU_HOST": "127.0.0.1",
        "CANGKU_PORT": str(port),
        "CANGKU_PWA_DIST": str(served_dist),
        "CANGKU_DEMO_DATA": "1",
        "CANGKU_OUTBOX_WORKER": "0",
    }
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, url, log)
        yield LiveServer(url=url, dist=served_dist, log=log, database_url=database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"the server did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-4000:]}"
    )


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
