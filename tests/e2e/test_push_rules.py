"""A manager tunes the push rules on the phone (issue 7): the screen edits what the server keeps.

The low-stock rule's threshold is changed and the rule turned off on the real screen; the server's
own answer shows both. A value outside the rule's range is refused before anything is sent, and
the reset puts the built-in settings back.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.phone import log_in, screen_on_failure
from tests.e2e.scenario import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

KIND = "low_stock"


def _rule_on_server(live_server: LiveServer) -> dict[str, Any]:
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        answer = api.post("/api/auth/login", json={"username": "manager", "password": DEMO_PASSWORD})
        api.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        rules: list[dict[str, Any]] = api.get("/api/push/rules").json()
    return next(rule for rule in rules if rule["kind"] == KIND)


def test_manager_changes_a_push_rule_and_resets_it(page: Page, live_server: LiveServer) -> None:
    before = _rule_on_server(live_server)
    assert before["enabled"] is True and before["source"] == "built_in", before
    threshold = int(before["params"]["min_units"])

    with screen_on_failure(page):
        log_in(page, "manager", warehouse="HZ01")
        page.goto("/#/push-rules")
        card = page.get_by_test_id(f"rule-{KIND}")
        expect(card).to_be_visible(timeout=20_000)
        units = page.get_by_test_id(f"rule-param-{KIND}-min_units")
        expect(units).to_have_value(str(threshold))

        # Out of range: the screen says so and sends nothing.
        units.fill("-1")
        page.get_by_test_id(f"rule-save-{KIND}").click()
        expect(page.get_by_test_id(f"rule-error-{KIND}-params.min_units")).to_be_visible()
        assert _rule_on_server(live_server)["source"] == "built_in"

        # A real change: a new threshold and the rule off, saved.
        units.fill(str(threshold + 7))
        page.get_by_test_id(f"rule-enabled-{KIND}").uncheck()
        page.get_by_test_id(f"rule-save-{KIND}").click()
        expect(page.get_by_test_id(f"rule-outcome-{KIND}")).to_be_visible(timeout=15_000)
        saved = _rule_on_server(live_server)
        assert saved["enabled"] is False
        assert saved["params"]["min_units"] == threshold + 7
        assert saved["source"] != "built_in"

        # Reset: the built-in settings again, on the server and on the screen.
        page.get_by_test_id(f"rule-reset-{KIND}").click()
        expect(units).to_have_value(str(threshold), timeout=15_000)
        after = _rule_on_server(live_server)
        assert after["enabled"] is True and after["params"]["min_units"] == threshold
        assert after["source"] == "built_in"
