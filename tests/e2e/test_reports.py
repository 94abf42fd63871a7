"""The manager's reports on a phone (issue 7): the real server's figures drawn as tiles, charts and
tables, platforms by name, a table exported as CSV, and the last view read again with no network.

The figures on screen are checked against the server's own JSON answer to the very request the page
made, so the test holds whatever the demo data is on the day it runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

from tests.e2e.phone import log_in, screen_on_failure

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MANAGER = "manager"


def _is_report(name: str) -> Any:
    return lambda r: re.search(rf"/api/reports/{name}\?", r.url) is not None and r.request.method == "GET"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _opened(page: Page, name: str) -> dict[str, Any]:
    """Open a report from the list; the JSON the server answered the page."""
    with page.expect_response(_is_report(name), timeout=30_000) as answer:
        page.get_by_test_id(f"report-link-{name}").click()
    response: Response = answer.value
    assert response.status == 200, response.text()
    body: dict[str, Any] = response.json()
    expect(page.get_by_test_id(f"report-{name}")).to_be_visible(timeout=20_000)
    return body


def _tile(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(tile for tile in report["tiles"] if tile["key"] == key)


def test_manager_reads_sales_and_fulfilment_exports_csv_and_rereads_offline(
    page: Page, context: BrowserContext, tmp_path: Path
) -> None:
    with screen_on_failure(page):
        log_in(page, MANAGER, warehouse="HZ01")  # where the demo's orders ship from
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.goto("/#/reports")
        expect(page.get_by_test_id("reports-list")).to_be_visible()

        sales = _opened(page, "sales")
        orders = _tile(sales, "orders")["value"]
        assert orders > 0, "the demo shop sold something in the last 7 days"
        expect(page.get_by_test_id("tile-value-orders")).to_have_text(re.compile(r"\d"))
        assert _digits(page.get_by_test_id("tile-value-orders").inner_text()) == str(orders)
        for chart in sales["charts"]:
            expect(page.get_by_test_id(f"chart-{chart['key']}").locator("svg")).to_be_visible()

        # Platforms read by name (Tmall, 拼多多), as the filter names them, never as keys (pdd).
        platforms = {option["value"]: option for option in sales["options"]["platforms"]}
        by_platform = next(table for table in sales["tables"] if table["key"] == "by_platform")
        keys = [row[0] for row in by_platform["rows"]]
        assert keys and set(keys) <= set(platforms)
        shown = page.get_by_test_id("table-by_platform").locator("tbody th").all_inner_texts()
        names = {platforms[key]["label_en"] for key in keys} | {platforms[key]["label_zh"] for key in keys}
        assert len(shown) == len(keys) and set(shown) <= names, (shown, keys)

        # The by-day table as CSV: the server's file, saved under its own name, Excel-ready (BOM).
        with page.expect_download(timeout=30_000) as downloading:
            page.get_by_test_id("csv-by_day").click()
        saved = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(saved)
        assert saved.suffix == ".csv"
        data = saved.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        lines = data.decode("utf-8-sig").splitlines()
        assert len(lines) == 1 + len(next(t for t in sales["tables"] if t["key"] == "by_day")["rows"])
        expect(page.get_by_test_id("csv-outcome-by_day")).to_contain_text(saved.name)

        # A second report, from the list.
        page.goto("/#/reports")
        fulfilment = _opened(page, "fulfilment")
        for tile in fulfilment["tiles"]:
            expect(page.get_by_test_id(f"tile-{tile['key']}")).to_be_visible()
        assert fulfilment["filters"]["date_to"] == sales["filters"]["date_to"]

        # No network, the app reopened on the sales report: the last view, said to be the kept copy.
        context.set_offline(True)
        page.goto("/#/reports/sales")
        page.reload()
        expect(page.get_by_test_id("offline")).to_be_visible(timeout=20_000)
        expect(page.get_by_test_id("as-of")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
        assert _digits(page.get_by_test_id("tile-value-orders").inner_text()) == str(orders)
        expect(page.get_by_test_id("csv-offline-by_day")).to_be_visible()
        expect(page.get_by_test_id("csv-by_day")).to_be_disabled()
        context.set_offline(False)
