"""Chromium would offer to install the app: CDP's own verdict, in a real (non-incognito) profile."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_chromium_finds_the_app_installable(persistent_context: BrowserContext) -> None:
    page = persistent_context.new_page()
    page.goto("/")
    cdp = persistent_context.new_cdp_session(page)

    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    found = cdp.send("Page.getAppManifest")
    assert found["errors"] == []
    parsed = found["manifest"]  # what Chromium understood (absolute URLs; no short_name or purpose)
    raw = json.loads(found["data"])  # the file as served
    assert parsed["display"] == "kStandalone"
    assert parsed["startUrl"] == parsed["scope"] == parsed["id"] == page.url
    assert parsed["themeColor"] == "rgba(10,88,202,1)"
    for name in (parsed["name"], raw["short_name"]):
        assert "仓库" in name and "Cangku" in name, name
    assert raw["lang"] == "zh-CN"
    assert "离线" in raw["description"] and "offline" in raw["description"]

    # Every icon is a real PNG of its declared size; 192 and 512 for any mask, one 512 maskable.
    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in raw["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in parsed["icons"]:
        response = page.request.get(icon["url"])
        assert response.ok, icon["url"]
        side = int(icon["sizes"].split("x")[0])
        with Image.open(io.BytesIO(response.body())) as image:
            assert (image.format, image.size) == ("PNG", (side, side)), icon["url"]
