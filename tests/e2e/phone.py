"""Driving the PWA like a person with a phone: log in, scan through the camera or a wedge
scanner, and read what the screen says. Used by the end-to-end tests."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.scenario import DEMO_PASSWORD

# The camera the app opens is a canvas showing whatever label the test holds up (null: nothing).
# TESTING-RECIPES §4: both decoders read codes from canvas.captureStream(); the decode itself is the
# app's real zxing-wasm path. One test also feeds Chromium's fake device from a file.
CAMERA_SCRIPT = """
(() => {
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 480;
  const g = canvas.getContext('2d');
  let label = null;
  const draw = () => {
    g.fillStyle = '#fff'; g.fillRect(0, 0, 640, 480);
    if (label) {
      const s = Math.min(1, 620 / label.width, 460 / label.height);
      const w = label.width * s, h = label.height * s;
      g.drawImage(label, (640 - w) / 2, (480 - h) / 2, w, h);
    }
  };
  setInterval(draw, 40); draw();
  window.__holdUp = (url) => new Promise((resolve) => {
    if (!url) { label = null; draw(); resolve(true); return; }
    const img = new Image();
    img.onload = () => { label = img; draw(); resolve(true); };
    img.src = url;
  });
  if (navigator.mediaDevices) {
    navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(15);
  }
})();
"""


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def photo_url(path: Path) -> str:
    mime = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}[path.suffix]
    return data_url(path.read_bytes(), mime)


def log_in(page: Page, username: str, warehouse: str | None = None) -> None:
    """Log in with the demo password; someone who runs several sites is asked which one the phone
    is for, and ``warehouse`` (a code, ``HZ01``) answers."""
    page.goto("/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    if warehouse is not None:
        page.locator("[data-testid^='warehouse-']", has_text=warehouse).click()
    expect(page.get_by_test_id("home-screen")).to_be_visible(timeout=20_000)


SYNCED = """() => {
  const p = document.querySelector('[data-testid=pending-count]');
  const l = document.querySelector('[data-testid=last-sync]');
  const busy = document.querySelector('[data-testid=sync-spinner]');
  return p && l && !busy && !p.classList.contains('app-pending-some') && !/never|从未|尚未/.test(l.textContent);
}"""


def wait_synced(page: Page, timeout_ms: int = 30_000) -> None:
    """Nothing pending, nothing syncing and a sync done, as the sync bar says — twice, a second
    apart, because a push with nothing to send finishes before the pull that follows it starts."""
    page.wait_for_function(SYNCED, timeout=timeout_ms)
    page.wait_for_timeout(1_000)
    page.wait_for_function(SYNCED, timeout=timeout_ms)


def pending_ops(page: Page) -> int:
    """The sync bar's pending count (0 when it says all sent)."""
    bar = page.get_by_test_id("pending-count")
    if "app-pending-some" not in (bar.get_attribute("class") or ""):
        return 0
    digits = "".join(ch for ch in bar.inner_text() if ch.isdigit())
    return int(digits)


# A wedge scanner sends its key events a few ms apart. Playwright's keyboard goes through one CDP
# round trip per key, which on a loaded 2-core CI machine can leave more than the 50 ms gap that
# separates a scanner from a person, so the burst is dispatched inside the page, key by key, to
# whatever has focus — the same events a USB/Bluetooth HID scanner produces.
WEDGE_SCRIPT = """
(text) => {
  const target = document.activeElement || document.body;
  const send = (type, key) => target.dispatchEvent(new KeyboardEvent(type, {key, bubbles: true, cancelable: true}));
  for (const ch of text) { send('keydown', ch); send('keyup', ch); }
  send('keydown', 'Enter'); send('keyup', 'Enter');
}
"""


def wedge_scan(page: Page, text: str) -> None:
    """A keyboard-wedge scanner: the characters in a fast burst, then Enter."""
    page.evaluate(WEDGE_SCRIPT, text)


def hold_up(page: Page, url: str | None) -> None:
    page.evaluate("(u) => window.__holdUp(u)", url)


def camera_scan(page: Page, url: str, then: str, timeout_ms: int = 15_000) -> None:
    """Show a label to the camera until the page matches ``then`` (a JS condition), then take it away."""
    hold_up(page, url)
    try:
        page.wait_for_function(then, timeout=timeout_ms)
    except PlaywrightTimeoutError as error:
        screen = page.locator("#app").inner_text()
        raise AssertionError(f"the camera did not get there ({then}); the screen says:\n{screen}") from error
    finally:
        hold_up(page, None)
    page.wait_for_timeout(1_200)  # out of view long enough (> 700 ms) to count as a new scan next time


def qty_value(page: Page, test_id: str) -> str:
    return page.locator(f"[data-testid='{test_id}'] input").input_value()


@contextmanager
def screen_on_failure(page: Page) -> Iterator[None]:
    """A failed step says what the phone showed, not only which element was missing."""
    try:
        yield
    except (AssertionError, PlaywrightError) as error:
        try:
            screen = page.locator("#app").inner_text(timeout=2_000)
        except PlaywrightError:
            screen = "(the page could not be read)"
        raise AssertionError(f"{error}\n--- the phone's screen:\n{screen}") from error
