"""The camera path with Chromium's own fake capture device playing a real label photo from a file
(TESTING-RECIPES §4), not a page-made stream: getUserMedia, the video element and zxing-wasm read
the frame, and the lookup screen names the SKU from the device's store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.e2e.camera_video import write_y4m
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, TEST_HOOKS_SCRIPT, LiveServer
from tests.e2e.phone import log_in, screen_on_failure, wait_synced
from tests.e2e.scenario import ITEM_PHOTO, Scenario

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def camera_browser(playwright: Playwright, tmp_path: Path) -> Iterator[Browser]:
    video = write_y4m([ITEM_PHOTO], tmp_path / "label.y4m")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"],
    )
    yield browser
    browser.close()


def test_lookup_reads_a_label_from_the_fake_camera(
    camera_browser: Browser, live_server: LiveServer, scenario: Scenario
) -> None:
    ctx = camera_browser.new_context(base_url=live_server.url, permissions=["camera"])
    ctx.add_init_script(TEST_HOOKS_SCRIPT)
    page = ctx.new_page()
    log_in(page, "picker")
    wait_synced(page)
    page.goto("/#/lookup")
    with screen_on_failure(page):
        page.get_by_test_id("camera-toggle").click()
        expect(page.get_by_test_id("lookup-screen")).to_contain_text("E2E-BOOK", timeout=20_000)
        expect(page.get_by_test_id("lookup-screen")).to_contain_text(scenario.camera_bin.code)
    ctx.close()
