"""A new version is offered, never forced: it waits while a task is open, even once accepted, and
takes over by itself at the task boundary (src/pwa/update.ts, STYLE-ANCHORS on vite-plugin-pwa).

No second build is needed: the served copy of sw.js gets a different version string, which is a
new worker to the browser (byte-different script, new cache name) with the same files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

REGISTRATION = """async () => {
  const r = await navigator.serviceWorker.getRegistration();
  return { waiting: r.waiting !== null, installing: r.installing !== null };
}"""
SHELL_CACHES = "async () => (await caches.keys()).filter((name) => name.startsWith('cangku-shell-'))"


@pytest.fixture
def next_version(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """(current, next) build versions; call publish() by writing the next sw.js. Restored after."""
    sw = live_server.dist / "sw.js"
    original = sw.read_text()
    match = re.search(r'\\"version\\":\\"([0-9a-f]+)\\"', original)
    assert match, "sw.js carries no build version"
    current = match.group(1)
    yield current, f"{current}next"
    sw.write_text(original)


def _publish(sw: Path, current: str, new: str) -> None:
    sw.write_text(sw.read_text().replace(f'\\"version\\":\\"{current}\\"', f'\\"version\\":\\"{new}\\"'))


def test_update_waits_for_the_task_boundary(page: Page, live_server: LiveServer, next_version: tuple[str, str]) -> None:
    current, new = next_version
    page.goto("/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("__cangkuTest.workerVersion()") == current
    page.evaluate("() => { window.__sameDocument = true; }")

    # The server gets a new version; the app's periodic check finds it; it installs and waits.
    _publish(live_server.dist / "sw.js", current, new)
    page.evaluate("__cangkuTest.checkForUpdate()")
    page.wait_for_function("__cangkuTest.updatePhase() === 'ready'")
    banner = page.get_by_test_id("update-banner")
    expect(banner).to_have_attribute("data-phase", "ready")
    # Offered, not forced: nobody tapped, so it keeps waiting.
    page.wait_for_timeout(500)
    assert page.evaluate(REGISTRATION) == {"waiting": True, "installing": False}

    # A pick starts, then the person taps "update": it is accepted but must not apply mid-task.
    # (a function, not an expression: Playwright would call the returned end() at once)
    page.evaluate("() => { window.__endTask = __cangkuTest.beginTask('e2e-pick'); }")
    page.get_by_test_id("update-apply").click()
    expect(banner).to_have_attribute("data-phase", "deferred")
    page.wait_for_timeout(1000)
    assert page.evaluate(REGISTRATION) == {"waiting": True, "installing": False}
    assert page.evaluate("__cangkuTest.workerVersion()") == current
    assert page.evaluate("window.__sameDocument") is True

    # The task ends: the new version takes over and the page reloads into it, by itself.
    with page.expect_navigation():
        page.evaluate("() => { window.__endTask(); }")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("window.__sameDocument === undefined")
    assert page.evaluate("__cangkuTest.workerVersion()") == new
    assert page.evaluate(REGISTRATION) == {"waiting": False, "installing": False}
    assert page.evaluate(SHELL_CACHES) == [f"cangku-shell-{new}"]  # the old version's cache is gone
    expect(page.get_by_test_id("update-banner")).to_have_count(0)
