"""Web Push end to end (TESTING-RECIPES §5c): the real page subscribes and hands the subscription to
the server, the server's own push worker encrypts and sends to a fake push service on loopback, the
test decrypts it like a browser and hands the plaintext to the service worker over CDP; the worker
shows it in the app's language and keeps it for the notification centre, which still lists it
offline; a tap opens the order; a push service answering 410 makes the server forget the phone.

Headless Chromium cannot subscribe for real (§5b: no push service reachable), so an init script
stands in for ``PushManager.subscribe`` with keys made here; everything after that is the real code.
No browser API taps a notification, so the tap goes through the worker's test hook (obeyed only
where the page set ``cangku.testHooks``, as every end-to-end context does).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from server.db.engine import create_engine, create_session_factory
from server.notify.models import PushSubscription
from server.notify.outbox import Audience, queue_notification
from tests.e2e.conftest import LiveServer
from tests.e2e.phone import log_in, screen_on_failure
from tests.e2e.scenario import DEMO_PASSWORD, run_async
from tests.integration.notify.push_service import Browser, PushService, Received, push_service

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SUPERVISOR = "supervisor"

# PushManager as a browser with a reachable push service would behave: `subscribe` answers a
# subscription whose endpoint is the fake service and whose keys the test holds; it survives reloads
# (localStorage) like a real one, and `unsubscribe` forgets it.
FAKE_PUSH_SCRIPT = """
(() => {
  if (typeof PushManager === 'undefined') return;
  const SUB = %s;
  const KEY = 'cangku.e2e.subscription';
  const read = () => {
    let b64 = null;
    try { b64 = localStorage.getItem(KEY); } catch (e) { return null; }
    if (b64 === null) return null;
    const serverKey = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
    return {
      endpoint: SUB.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: serverKey },
      getKey: () => null,
      toJSON: () => ({ endpoint: SUB.endpoint, expirationTime: null, keys: SUB.keys }),
      unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    };
  };
  PushManager.prototype.subscribe = async function (options) {
    if (!options || options.userVisibleOnly !== true) throw new DOMException('userVisibleOnly', 'NotAllowedError');
    const bytes = new Uint8Array(options.applicationServerKey);
    localStorage.setItem(KEY, btoa(String.fromCharCode(...bytes)));
    return read();
  };
  PushManager.prototype.getSubscription = async function () { return read(); };
  PushManager.prototype.permissionState = async function () {
    return Notification.permission === 'granted' ? 'granted' : 'prompt';
  };
})();
"""

SHOWN = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))"""

# The worker's test hook: tap the shown notification with this tag (src/notices/worker.ts clickByTag).
TAP = """async (tag) => {
  const registration = await navigator.serviceWorker.ready;
  const channel = new MessageChannel();
  const answer = new Promise((resolve) => { channel.port1.onmessage = (e) => resolve(e.data); });
  registration.active.postMessage({ type: 'CLICK_NOTICE', tag }, [channel.port2]);
  return await answer;
}"""


def _wait(what: str, check: Callable[[], Any], timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _login(client: httpx.Client, username: str) -> dict[str, Any]:
    answer = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    client.headers["Authorization"] = f"Bearer {body['token']}"
    return body


async def _queue(database_url: str, user_id: int, **fields: Any) -> None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await queue_notification(session, audience=Audience(user_ids=(user_id,)), **fields)
    finally:
        await engine.dispose()


async def _endpoints(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.scalars(select(PushSubscription.endpoint))).all())
    finally:
        await engine.dispose()


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as running:
        yield running


@pytest.fixture
def phone_browser(service: PushService) -> Browser:
    return Browser.make(service, f"e2e-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def push_page(context: BrowserContext, live_server: LiveServer, phone_browser: Browser) -> Page:
    context.grant_permissions(["notifications"], origin=live_server.url)
    subscription = phone_browser.subscription_json()
    context.add_init_script(
        FAKE_PUSH_SCRIPT % json.dumps({"endpoint": subscription["endpoint"], "keys": subscription["keys"]})
    )
    return context.new_page()


def _deliver(context: BrowserContext, page: Page, origin: str, data: str) -> None:
    """Hand a decrypted push to the service worker, as the browser does when its push service calls."""
    cdp = context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(
            r["registrationId"] for r in event["registrations"] if not r.get("isDeleted")
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # events arrive while Playwright waits, not while Python sleeps
        if registrations:
            break
        page.wait_for_timeout(100)
    assert registrations, "no service worker registration reported over CDP"
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": registrations[0], "data": data})


def _pushes_to(service: PushService, browser: Browser, count: int) -> list[Received]:
    def arrived() -> list[Received] | None:
        pushes = service.to(browser.name)
        return pushes if len(pushes) >= count else None

    found: list[Received] = _wait(f"{count} push(es) at the fake push service", arrived)
    return found


def test_push_reaches_the_phone_the_centre_and_the_order(
    push_page: Page, context: BrowserContext, live_server: LiveServer, service: PushService, phone_browser: Browser
) -> None:
    page = push_page
    with httpx.Client(base_url=live_server.url, timeout=30) as api:
        user = _login(api, SUPERVISOR)["user"]
        orders = api.get("/api/orders", params={"limit": 1}).json()["items"]
        assert orders, "the demo data has orders"
        order = orders[0]

    with screen_on_failure(page):
        # Log in (the supervisor runs two sites: this phone is for Hangzhou) and choose Chinese.
        log_in(page, SUPERVISOR, warehouse="HZ01")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.get_by_test_id("menu-settings").click()
        page.get_by_test_id("lang-zh").click()

        # Turn notifications on: the real page asks for the key, subscribes and POSTs the subscription.
        state = page.get_by_test_id("push-state")
        expect(state).to_have_attribute("data-state", "off", timeout=15_000)
        page.get_by_test_id("push-on").click()
        expect(state).to_have_attribute("data-state", "on", timeout=15_000)
        expect(state).to_have_text("开启")
        assert phone_browser.endpoint in run_async(_endpoints(live_server.database_url))

        # The server queues an urgent order; its push worker encrypts and sends it to the phone's service.
        title_zh = f"加急订单 {order['platform_order_no']}"
        run_async(
            _queue(
                live_server.database_url,
                int(user["id"]),
                kind="urgent_order",
                title_en=f"Urgent order {order['platform_order_no']}",
                title_zh=title_zh,
                body_en="VIP buyer",
                body_zh="VIP 买家",
                url=f"/#/order/{order['id']}",
                urgency="high",
            )
        )
        (push,) = _pushes_to(service, phone_browser, 1)
        payload = phone_browser.decrypt(push)
        assert payload["title"]["zh"] == title_zh
        assert push.headers["urgency"] == "high"

        # The browser hands it to the service worker: shown in the app's language (Chinese), and kept.
        _deliver(context, page, live_server.url, json.dumps(payload, ensure_ascii=False))
        shown = _wait("the notification", lambda: page.evaluate(SHOWN))
        assert [n["title"] for n in shown] == [title_zh]
        assert shown[0]["body"] == "VIP 买家"
        assert shown[0]["data"]["url"] == f"/#/order/{order['id']}"

        # The centre lists it once (the pushed row and the server's row are one), unread.
        page.goto("/#/")
        expect(page.get_by_test_id("badge-notifications")).to_be_visible()
        page.get_by_test_id("menu-notifications").click()
        mine = page.get_by_test_id("notice-item").filter(has_text=title_zh)
        expect(mine).to_have_count(1)
        expect(mine).to_have_attribute("data-unread", "1")
        expect(mine).to_have_attribute("data-key", re.compile(r"^server:\d+$"))

        # Offline, after a reload: the centre still has it.
        context.set_offline(True)
        page.reload()
        expect(page.get_by_test_id("notices-offline")).to_be_visible(timeout=15_000)
        expect(page.get_by_test_id("notice-item").filter(has_text=title_zh)).to_have_count(1)
        context.set_offline(False)

        # A tap on the notification: the worker sends the open app to the order, read.
        assert page.evaluate(TAP, shown[0]["tag"]) == {"done": True}
        expect(page.get_by_test_id("order-number")).to_have_text(order["platform_order_no"], timeout=15_000)
        assert page.evaluate("location.hash") == f"#/order/{order['id']}"
        assert page.evaluate(SHOWN) == []  # the tapped notification is closed

        # Back in the centre (online) the read mark reaches the server.
        page.goto("/#/notifications")
        expect(page.get_by_test_id("notice-item").filter(has_text=title_zh)).to_have_attribute("data-unread", "0")
        with httpx.Client(base_url=live_server.url, timeout=30) as api:
            _login(api, SUPERVISOR)

            def read_on_server() -> bool:
                items = api.get("/api/notifications", params={"after_id": 0, "limit": 50}).json()["items"]
                return any(i["title_zh"] == title_zh and i["read_at"] is not None for i in items)

            _wait("the read mark on the server", read_on_server)

    # The push service says the subscription is gone (410): the server forgets the phone.
    service.script(phone_browser.name, (410, {}))
    run_async(
        _queue(
            live_server.database_url,
            int(user["id"]),
            kind="e2e_check",
            title_en="Check",
            title_zh="检查",
            url="/#/notifications",
        )
    )
    _pushes_to(service, phone_browser, 2)
    _wait(
        "the server to drop the subscription",
        lambda: phone_browser.endpoint not in run_async(_endpoints(live_server.database_url)),
    )
