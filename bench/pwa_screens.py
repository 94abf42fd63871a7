"""Screenshots of the phone app's main screens, for the docs and for looking at the UI as a whole:

    .venv/bin/python -m bench.pwa_screens [--out docs/screenshots] [--scale 2]

The real server (`cangku run`, fresh SQLite, demo data, the built pwa/dist) is driven by Debian's
headless Chromium on a 412×915 phone viewport, as tests/e2e do: a picker's day in Chinese (online,
then offline with ops recorded, then back online and synced), login/home/pick once in English, the
supervisor's exceptions queue that day left behind, and the manager's today view over a few orders
imported here. Each PNG is written to ``--out`` with README.md listing them (zh + en captions).
A PNG over ~250 KB is re-saved with a 256-colour palette, then at 1x, so the docs stay small.

Needs a CJK font (Debian's fonts-noto-cjk, what Android phones show), or every Chinese character
is a box; the script stops and says so when `fc-list :lang=zh` finds none.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from server.catalog.models import Sku
from server.db.engine import create_engine, create_session_factory
from server.orders.imports import new_import, run_import
from server.orders.normalized import NormalizedLine, NormalizedOrder, ParseResult, PlatformStatus, Receiver
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location, LocationType
from tests.e2e.live_server import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ROOT,
    TEST_HOOKS_SCRIPT,
    LiveServer,
    ensure_pwa_built,
    running_server,
)
from tests.e2e.phone import wait_synced, wedge_scan
from tests.e2e.scenario import (
    DEMO_PASSWORD,
    ITEM_PHOTO_TEXT,
    WEDGE_ITEM_CODE,
    Scenario,
    build_scenario,
    run_async,
)

VIEWPORT: ViewportSize = {"width": 412, "height": 915}
MAX_PNG_BYTES = 250_000
EN_SCRIPT = "try { localStorage.setItem('cangku.lang', 'en'); } catch (e) {}"
REPEAT_GAP_MS = 850  # the same code again inside 800 ms is a double trigger, not a second unit
# Offline, the sync bar keeps its spinner between retries (see the report): not waited for there.
STABLE = """() => (!!document.querySelector('[data-testid=offline-banner]')
    || !document.querySelector('[data-testid=sync-spinner], .app-spinner'))
  && document.fonts.status === 'loaded' && !/加载中|Loading…/.test(document.querySelector('#app')?.innerText ?? '')"""


# name -> (中文, English): the README's captions, in file-name order.
CAPTIONS: dict[str, tuple[str, str]] = {
    "01-login": ("登录", "Log in"),
    "02-home": ("主菜单（拣货员）", "Home menu (picker)"),
    "03-pick-list": ("拣货任务列表", "Pick task list"),
    "04-pick-item": ("拣货：已扫库位，扫描商品并确认数量", "Pick: bin scanned, scan the item and confirm the quantity"),
    "05-pack-mismatch": (
        "复核：扫了不属于该包裹的商品（红色）",
        "Pack check: an item that is not in this parcel (red)",
    ),
    "06-count-blind": ("盲盘：已扫商品及数量（不显示账面数）", "Blind cycle count: counted lines, no expected figures"),
    "07-receive-po": ("收货：已选收货位，扫描采购单", "Receive: dock chosen, scan the purchase order"),
    "08-putaway-suggested": ("上架 / 移库：建议库位大字显示", "Put away / move: the suggested bin in big type"),
    "09-returns": ("退货入库：选择商品状况", "Returns: choose the item's condition"),
    "10-lookup-sku": ("查询：商品及其所在库位", "Look up: an item and the bins holding it"),
    "11-sync-outcomes": (
        "同步：各操作结果（已同步 / 已同步，有异常）",
        "Sync: each op's outcome (synced / synced with exception)",
    ),
    "11b-sync-outcomes-full": ("同步：全部操作结果（整页）", "Sync: every op's outcome (whole page)"),
    "12-settings": ("设置：语言、提示音、存储、版本、设备", "Settings: language, sounds, storage, version, device"),
    "13-offline-pending": ("离线横幅与待发送操作数", "Offline banner with the ops waiting to be sent"),
    "14-supervisor-exceptions": (
        "主管：异常处理队列（负库存库位已展开）",
        "Supervisor: the exceptions queue, a negative bin opened",
    ),
    "14b-supervisor-exceptions-full": (
        "主管：异常处理队列，按类型分组（整页）",
        "Supervisor: the exceptions queue by kind (whole page)",
    ),
    "15-manager-today": ("经理：今日概况", "Manager: today's view"),
    "15b-manager-today-full": ("经理：今日概况（整页）", "Manager: today's view (whole page)"),
    "21-login-en": ("登录（英文界面）", "Log in (English)"),
    "22-home-en": ("主菜单（英文界面）", "Home menu (English)"),
    "23-pick-list-en": ("拣货任务列表（英文界面）", "Pick task list (English)"),
    "24-pick-item-en": ("拣货：扫描商品并确认数量（英文界面）", "Pick: scan the item, confirm the quantity (English)"),
}


class Camera:
    """Takes, shrinks if needed, and remembers the screenshots."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.sizes: dict[str, int] = {}

    def take(self, page: Page, name: str, *, full_page: bool = False) -> None:
        settle(page)
        png = page.screenshot(animations="disabled", caret="hide", full_page=full_page)
        data = shrink(png)
        (self.out / f"{name}.png").write_bytes(data)
        self.sizes[name] = len(data)
        print(f"  {name}.png  {len(data) // 1024} KB", flush=True)

    def write_readme(self) -> None:
        lines = [
            "# 截图 Screenshots",
            "",
            "仓库 Cangku 手机端的主要界面（412×915 手机视口，默认中文），由 `.venv/bin/python -m bench.pwa_screens`",
            "对真实服务器与演示数据在无头 Chromium 中生成。",
            "",
            "The phone app's main screens (412×915 phone viewport, Chinese by default), made by",
            "`.venv/bin/python -m bench.pwa_screens` against the real server with the demo data in headless Chromium.",
            "",
            "| file | 中文 | English |",
            "|---|---|---|",
        ]
        for name in sorted(self.sizes):
            zh, en = CAPTIONS[name]
            lines.append(f"| [{name}.png]({name}.png) | {zh} | {en} |")
        (self.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def shrink(png: bytes) -> bytes:
    """UI screenshots are flat colours: a 256-colour palette keeps them crisp at a fraction of the size."""
    if len(png) <= MAX_PNG_BYTES:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for scale in (1.0, 0.5):
        sized = image if scale == 1.0 else image.resize((int(image.width * scale), int(image.height * scale)))
        out = io.BytesIO()
        sized.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
        if out.tell() <= MAX_PNG_BYTES:
            return out.getvalue()
    return out.getvalue()


def settle(page: Page) -> None:
    """No spinner, no "loading", fonts in — twice, half a second apart (a pull may follow a push).
    A screen that never settles is shot all the same, and said so: the picture shows why."""
    try:
        page.wait_for_function(STABLE, timeout=15_000)
        page.wait_for_timeout(500)
        page.wait_for_function(STABLE, timeout=15_000)
    except PlaywrightTimeoutError:
        screen = page.locator("#app").inner_text()
        print(f"  (not settled after 15 s; the screen says: {screen!r})", flush=True)


def scan(page: Page, text: str) -> None:
    """A wedge scanner's burst with no field focused (a focused field would take the keys)."""
    page.wait_for_timeout(250)  # a screen just shown subscribes to scans after its first paint
    page.evaluate("() => document.activeElement instanceof HTMLElement && document.activeElement.blur()")
    wedge_scan(page, text)


def prompt_changed(page: Page) -> str:
    old = page.get_by_test_id("prompt").first.inner_text()
    return (
        "() => { const p = document.querySelector('[data-testid=prompt]');"
        f" return p && p.textContent !== {json.dumps(old)}; }}"
    )


def qty_is(test_id: str, value: int) -> str:
    return f"() => document.querySelector(\"[data-testid='{test_id}'] input\")?.value === '{value}'"


def log_in(page: Page, username: str, warehouse_code: str = "HZ01") -> None:
    """Like tests.e2e.phone.log_in, and picks the warehouse when the person works in more than one."""
    page.goto("/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    home = page.get_by_test_id("home-screen")
    chooser = page.locator("[data-testid^='warehouse-']:not([data-testid='warehouse-cancel'])")
    expect(home.or_(chooser.first)).to_be_visible(timeout=20_000)
    if not home.is_visible():
        chooser.filter(has_text=warehouse_code).first.click()
    expect(home).to_be_visible(timeout=20_000)


@contextmanager
def phone(browser: Browser, server: LiveServer, scale: float, *, english: bool = False) -> Iterator[Page]:
    ctx: BrowserContext = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORT,
        device_scale_factor=scale,
        is_mobile=True,
        has_touch=True,
        locale="en-US" if english else "zh-CN",
        timezone_id="Asia/Shanghai",
    )
    ctx.add_init_script(TEST_HOOKS_SCRIPT)
    if english:
        ctx.add_init_script(EN_SCRIPT)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


# --- the day's data -------------------------------------------------------------------------------


def seed_orders(server: LiveServer, warehouse_id: int) -> None:
    """When the demo data has no orders paid today: a shop's orders for the manager's view — paid
    today, due today (some late, one shipped elsewhere), and one for an item no warehouse holds (a
    stock-out). Channel and rules go through the API; the orders through the import runner, as a
    file upload does; then the API processes them (review, routing, reservation)."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        token = client.post("/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        today = client.get(f"/api/reports/today?warehouse_id={warehouse_id}")
        assert today.status_code == 200, today.text
        if today.json()["orders_paid_today"] > 0:
            print("the demo data has orders paid today: none added", flush=True)
            return
        channel = client.post("/api/channels", json={"code": "SHOTS-TMALL", "name": "天猫旗舰店", "platform": "taobao"})
        assert channel.status_code == 201, channel.text
        routing = [
            {
                "id": 1,
                "position": 1,
                "name": "杭州仓",
                "conditions": [],
                "action": {"type": "route_to", "warehouse_ids": [warehouse_id]},
            }
        ]
        rates = [{"carrier_code": "YTO", "first_weight_g": 1000, "first_fee_minor": 500, "extra_per_kg_minor": 200}]
        for kind, items in (("routing", routing), ("rates", rates)):
            answer = client.put(f"/api/order-rules/{kind}", json=items)
            assert answer.status_code < 300, answer.text
        stocked, missing = run_async(_sku_codes(server.database_url, warehouse_id))
        run_async(_import(server.database_url, int(channel.json()["id"]), _orders(stocked, missing)))
        processed = client.post("/api/orders/process", json={})
        assert processed.status_code < 300, processed.text


async def _sku_codes(database_url: str, warehouse_id: int) -> tuple[list[str], str]:
    """Demo SKUs with plenty in HZ01's bins, and one with no stock anywhere."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as s:
            stocked = list(
                await s.scalars(
                    select(Sku.code)
                    .join(StockLevel, StockLevel.sku_id == Sku.id)
                    .join(Location, Location.id == StockLevel.location_id)
                    .where(
                        Location.warehouse_id == warehouse_id,
                        Location.type.in_([LocationType.pick, LocationType.storage]),
                        StockLevel.on_hand - StockLevel.reserved >= 20,
                        StockLevel.lot_id.is_(None),
                        Sku.code.not_like("E2E-%"),
                    )
                    .distinct()
                    .order_by(Sku.code)
                    .limit(10)
                )
            )
            held = select(StockLevel.sku_id).where(StockLevel.on_hand > 0)
            missing = await s.scalar(
                select(Sku.code).where(Sku.id.not_in(held), Sku.active.is_(True)).order_by(Sku.id).limit(1)
            )
    finally:
        await engine.dispose()
    assert len(stocked) >= 6, stocked
    assert missing is not None, "every demo SKU has stock: no stock-out to show"
    return stocked, missing


def _orders(stocked: list[str], missing: str) -> list[NormalizedOrder]:
    now = datetime.now(UTC)
    plan: list[tuple[timedelta, PlatformStatus, list[str]]] = [
        (
            timedelta(minutes=20 + 25 * n),
            PlatformStatus.paid,
            [stocked[n % len(stocked)], stocked[(n + 3) % len(stocked)]],
        )
        for n in range(8)
    ]
    plan += [(timedelta(hours=49, minutes=10 * n), PlatformStatus.paid, [stocked[n]]) for n in range(3)]  # late
    plan += [(timedelta(hours=47), PlatformStatus.shipped, [stocked[4]])]  # due today, shipped
    plan += [(timedelta(hours=46, minutes=30), PlatformStatus.paid, [stocked[5]])]  # due later today
    plan += [(timedelta(minutes=5), PlatformStatus.paid, [missing])]  # nothing to ship it from
    orders = []
    for n, (ago, status, codes) in enumerate(plan, start=1):
        lines = [
            NormalizedLine(
                platform_line_id=str(k), sku_code=code, qty=1 + (n + k) % 2, unit_price_minor=5_900, paid_minor=5_900
            )
            for k, code in enumerate(codes, start=1)
        ]
        total = sum(line.qty * 5_900 for line in lines)
        orders.append(
            NormalizedOrder(
                platform="taobao",
                platform_order_no=f"20261201{n:08d}",
                status=status,
                created_at=now - ago - timedelta(minutes=2),
                paid_at=now - ago,
                goods_minor=total,
                paid_minor=total,
                buyer_id=f"t**{n}",
                receiver=Receiver(
                    name="王**", phone="138****0000", province="浙江省", city="杭州市", address="文一西路 1 号"
                ),
                lines=lines,
            )
        )
    return orders


async def _import(database_url: str, channel_id: int, orders: list[NormalizedOrder]) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        parsed = ParseResult(orders=orders, rows=len(orders))
        async with factory() as s, s.begin():
            row = new_import(channel_id, parsed, source="file", filename="screenshots.csv", user_id=None)
            s.add(row)
            await s.flush()
            import_id = row.id
        await run_import(factory, import_id, channel_id, orders, actor=None)
    finally:
        await engine.dispose()


# --- the screens ----------------------------------------------------------------------------------


def english_picker(page: Page, s: Scenario, cam: Camera) -> None:
    page.goto("/")
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=20_000)
    cam.take(page, "21-login-en")
    log_in(page, "picker")
    wait_synced(page)
    cam.take(page, "22-home-en")
    page.goto("/#/pick")
    expect(page.get_by_test_id(f"task-{s.wedge_pick_task}")).to_be_visible(timeout=20_000)
    cam.take(page, "23-pick-list-en")
    page.get_by_test_id(f"task-{s.wedge_pick_task}").click()
    page.get_by_test_id("no-tote").click()
    wait = prompt_changed(page)
    scan(page, s.wedge_bin.barcode)
    page.wait_for_function(wait)
    scan(page, WEDGE_ITEM_CODE)
    page.wait_for_function(qty_is("qty", 1))
    cam.take(page, "24-pick-item-en")


def picker_online(page: Page, s: Scenario, cam: Camera) -> None:
    page.goto("/")
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=20_000)
    cam.take(page, "01-login")
    log_in(page, "picker")
    wait_synced(page)
    cam.take(page, "02-home")
    page.goto("/#/pick")
    expect(page.get_by_test_id(f"task-{s.camera_pick_task}")).to_be_visible(timeout=20_000)
    cam.take(page, "03-pick-list")
    page.goto("/#/settings")
    expect(page.get_by_test_id("settings-screen")).to_be_visible()
    cam.take(page, "12-settings")
    page.goto("/#/lookup")
    expect(page.get_by_test_id("lookup-screen")).to_be_visible()
    scan(page, WEDGE_ITEM_CODE)
    expect(page.locator("[data-testid=lookup-result][data-kind=sku]")).to_be_visible()
    cam.take(page, "10-lookup-sku")
    page.goto("/#/receive")
    page.locator("[data-testid^='dock-']").first.click()
    expect(page.get_by_test_id("no-po")).to_be_visible()
    cam.take(page, "07-receive-po")


def picker_offline(page: Page, s: Scenario, cam: Camera) -> None:
    page.context.set_offline(True)
    # Pick the wedge task: bin, then item — the screenshot — then the rest.
    page.goto("/#/pick")
    page.get_by_test_id(f"task-{s.wedge_pick_task}").click()
    page.get_by_test_id("no-tote").click()
    wait = prompt_changed(page)
    scan(page, s.wedge_bin.barcode)
    page.wait_for_function(wait)
    scan(page, WEDGE_ITEM_CODE)
    page.wait_for_function(qty_is("qty", 1))
    cam.take(page, "04-pick-item")
    for n in (2, 3):
        page.wait_for_timeout(REPEAT_GAP_MS)
        scan(page, WEDGE_ITEM_CODE)
        page.wait_for_function(qty_is("qty", n))
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("pick-list")).to_be_visible()

    # Pack check of that parcel: a book that was never picked for it is a red line.
    page.goto("/#/pack")
    expect(page.get_by_test_id("pack")).to_be_visible()
    scan(page, "E2E-PICK-2")
    expect(page.get_by_test_id("cancel")).to_be_visible()  # the parcel is open
    scan(page, WEDGE_ITEM_CODE)
    expect(page.locator("[data-testid=pack-list] tr[data-status]")).to_have_count(1)
    scan(page, ITEM_PHOTO_TEXT)
    expect(page.locator("[data-testid=pack-list] tr[data-status=unexpected]")).to_have_count(1)
    cam.take(page, "05-pack-mismatch")
    page.get_by_test_id("cancel").click()

    # The camera task, by wedge, then a count of that bin right after: a recount on the server.
    page.goto("/#/pick")
    page.get_by_test_id(f"task-{s.camera_pick_task}").click()
    page.get_by_test_id("no-tote").click()
    wait = prompt_changed(page)
    scan(page, s.camera_bin.barcode)
    page.wait_for_function(wait)
    for n in (1, 2):
        if n > 1:
            page.wait_for_timeout(REPEAT_GAP_MS)
        scan(page, ITEM_PHOTO_TEXT)
        page.wait_for_function(qty_is("qty", n))
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("pick-list")).to_be_visible()
    count_task(page, s.camera_count_task, s.camera_bin.barcode, [(ITEM_PHOTO_TEXT, "qty-E2E-BOOK", 3)])

    # The blind count with two lines on screen.
    count_task(
        page,
        s.wedge_count_task,
        s.count_bin.barcode,
        [(WEDGE_ITEM_CODE, "qty-E2E-MUG", 5), (ITEM_PHOTO_TEXT, "qty-E2E-BOOK", 1)],
        shoot=lambda: cam.take(page, "06-count-blind"),
    )

    # Put-away: more mugs out of the picked bin than it holds (the bin goes negative on the server).
    page.goto("/#/move")
    expect(page.get_by_test_id("move-screen")).to_be_visible()
    wait = prompt_changed(page)
    scan(page, s.wedge_bin.barcode)
    page.wait_for_function(wait)
    scan(page, WEDGE_ITEM_CODE)
    expect(page.get_by_test_id("next")).to_be_visible()
    page.locator("[data-testid='qty'] input").fill("6")
    page.wait_for_function(qty_is("qty", 6))
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("suggested-bin")).to_be_visible()
    cam.take(page, "08-putaway-suggested")
    wait = prompt_changed(page)
    scan(page, s.count_bin.barcode)
    page.wait_for_function(wait)

    # A customer return, up to choosing its condition; then restocked.
    page.goto("/#/returns")
    scan(page, "RT-20261201-01")
    expect(page.get_by_test_id("new-return")).to_be_visible()
    page.wait_for_timeout(REPEAT_GAP_MS)
    scan(page, WEDGE_ITEM_CODE)
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("restock")).to_be_visible()
    cam.take(page, "09-returns")
    page.get_by_test_id("restock").click()
    expect(page.get_by_test_id("suggested")).to_be_visible()
    scan(page, s.wedge_bin.barcode)  # the suggested bin: the mugs' pick face
    expect(page.get_by_test_id("returns-log")).to_be_visible()

    page.goto("/")
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    cam.take(page, "13-offline-pending")


def count_task(
    page: Page,
    task_id: int,
    bin_code: str,
    items: list[tuple[str, str, int]],
    shoot: Callable[[], None] | None = None,
) -> None:
    page.goto("/#/count")
    page.get_by_test_id(f"task-{task_id}").click()
    scan(page, bin_code)
    expect(page.get_by_test_id("blind")).to_be_visible()
    for code, test_id, times in items:
        for n in range(1, times + 1):
            page.wait_for_timeout(REPEAT_GAP_MS)
            scan(page, code)
            page.wait_for_function(qty_is(test_id, n))
    if shoot is not None:
        shoot()
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("next").click()


def picker_back_online(page: Page, cam: Camera) -> None:
    page.context.set_offline(False)
    page.goto("/#/sync")
    page.get_by_test_id("sync-now").click()
    wait_synced(page, timeout_ms=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=op-outcome]')].some((o) => o.textContent.includes('有异常'))"
    )
    cam.take(page, "11-sync-outcomes")
    cam.take(page, "11b-sync-outcomes-full", full_page=True)


def supervisor(page: Page, cam: Camera) -> None:
    log_in(page, "supervisor")
    page.goto("/#/supervisor")
    expect(page.get_by_test_id("queue-total")).to_be_visible(timeout=20_000)
    cam.take(page, "14b-supervisor-exceptions-full", full_page=True)
    negative = page.locator("[data-testid=group-negative_bin] .queue-item-head")
    (negative if negative.count() > 0 else page.locator(".queue-item-head")).first.click()
    expect(page.get_by_test_id("item-detail")).to_be_visible()
    page.get_by_test_id("item-detail").scroll_into_view_if_needed()
    cam.take(page, "14-supervisor-exceptions")


def manager(page: Page, cam: Camera) -> None:
    log_in(page, "manager")
    page.goto("/#/manager")
    expect(page.get_by_test_id("paid-today")).to_be_visible(timeout=20_000)
    cam.take(page, "15-manager-today")
    cam.take(page, "15b-manager-today-full", full_page=True)


def has_cjk_font() -> bool:
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return found.returncode == 0 and found.stdout.strip() != ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=float, default=2.0, help="device pixel ratio (2 as on a phone)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run infra/ensure-debian-packages.sh (never `playwright install`)")
    if shutil.which("fc-list") is not None and not has_cjk_font():
        sys.exit("no Chinese font: `apt-get install fonts-noto-cjk`, or every Chinese character is a box")
    started = time.monotonic()
    dist = ensure_pwa_built()
    args.out.mkdir(parents=True, exist_ok=True)
    cam = Camera(args.out)
    with tempfile.TemporaryDirectory(prefix="cangku-screens-") as tmp:
        served = Path(tmp) / "dist"
        shutil.copytree(dist, served)
        workdir = Path(tmp) / "server"
        workdir.mkdir()
        with running_server(served, workdir) as server, sync_playwright() as p:
            print(f"server up in {time.monotonic() - started:.0f} s; seeding", flush=True)
            s = build_scenario(server.url, server.database_url)
            seed_orders(server, s.warehouse_id)
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            try:
                with phone(browser, server, args.scale, english=True) as page:
                    english_picker(page, s, cam)
                with phone(browser, server, args.scale) as page:
                    picker_online(page, s, cam)
                    picker_offline(page, s, cam)
                    picker_back_online(page, cam)
                with phone(browser, server, args.scale) as page:
                    supervisor(page, cam)
                with phone(browser, server, args.scale) as page:
                    manager(page, cam)
            finally:
                browser.close()
    cam.write_readme()
    total = sum(cam.sizes.values())
    print(f"{len(cam.sizes)} screenshots, {total // 1024} KB, in {args.out} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
