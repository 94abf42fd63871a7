// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServicesContext } from "../app/services";
import { lang } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";
import { saveView, viewKey } from "./last-view";
import { ManagerScreen } from "./manager-screen";
import { SESSION, fakeApi, type FakeApi } from "./test-support";
import type { TodayReport } from "./today-types";

const HOURS = Array.from({ length: 24 }, (_, h) => ({
  hour: h,
  starts_at: new Date(Date.UTC(2026, 11, 1, 16 + h)).toISOString(),
  picks: h === 9 ? 3 : h === 13 ? 1 : 0,
  units: h === 9 ? 7 : h === 13 ? 5 : 0,
}));

const REPORT: TodayReport = {
  warehouse_id: 1,
  timezone: "Asia/Shanghai",
  date: "2026-12-02",
  day_starts_at: "2026-12-01T16:00:00Z",
  day_ends_at: "2026-12-02T16:00:00Z",
  generated_at: "2026-12-02T06:00:00Z",
  orders_paid_today: 5,
  orders_by_status: [
    { status: "review", count: 1 },
    { status: "routed", count: 2 },
    { status: "shipped", count: 1 },
    { status: "cancelled", count: 1 },
  ],
  open_by_status: [
    { status: "review", count: 2 },
    { status: "routed", count: 2 },
    { status: "picked", count: 1 },
  ],
  shipped_vs_due: { due: 4, due_shipped: 1, due_open: 3, shipped: 2 },
  urgent: {
    late: 1,
    urgent: 2,
    items: [
      {
        order_id: 4,
        order_no: "A4",
        channel_code: "TB",
        channel_name: "天猫旗舰店",
        status: "picked",
        deadline: "2026-12-02T02:00:00Z",
        late: true,
        flags: [
          { kind: "late_risk", reason: "late-shipment deadline passed 12-02 10:00", reason_zh: "发货时限已过 12-02 10:00" },
        ],
      },
      {
        order_id: 8,
        order_no: "A8",
        channel_code: "JD",
        channel_name: "",
        status: "routed",
        deadline: null,
        late: false,
        flags: [{ kind: "vip", reason: "VIP buyer", reason_zh: "VIP 买家" }],
      },
    ],
  },
  picks_per_hour: HOURS,
  stock_outs: {
    skus: 1,
    sold_out_skus: 4,
    items: [
      {
        sku_id: 3,
        sku_code: "SKU-OUT",
        name_zh: "红茶 250g",
        name_en: "Black tea 250 g",
        available: 0,
        waiting_orders: 1,
        waiting_units: 3,
      },
    ],
  },
};

let root: HTMLElement;

beforeEach(() => {
  lang.value = "en";
  localStorage.clear();
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  vi.useRealTimers();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

function mount(fake: FakeApi): void {
  render(
    <ServicesContext.Provider value={fake.services}>
      <ManagerScreen args={[]} />
    </ServicesContext.Provider>,
    root,
  );
}

const online = (): FakeApi => fakeApi(() => REPORT);
const offline = (): FakeApi =>
  fakeApi(() => {
    throw new NetworkError("no route to host");
  });

describe("ManagerScreen", () => {
  it("shows the day's cards from the server", async () => {
    const fake = online();
    mount(fake);

    await vi.waitFor(() => expect(byTestId("card-orders")).not.toBeNull());
    expect(fake.api).toHaveBeenCalledWith("GET", "/api/reports/today?warehouse_id=1");
    expect(text("paid-today")).toBe("5");
    const statuses = [...root.querySelectorAll('[data-testid="orders-by-status"] li')].map(
      (li) => `${li.getAttribute("data-status")}=${li.querySelector(".report-row-value")?.textContent}`,
    );
    expect(statuses).toEqual(["review=1", "routed=2", "shipped=1", "cancelled=1"]);
    expect(text("backlog")).toBe("5");
    expect(text("due-shipped")).toBe("1 of 4 due today shipped");
    expect(byTestId("due-bar")?.getAttribute("aria-valuenow")).toBe("1");
    expect(text("shipped-today")).toContain("2");
    expect(text("late-count")).toBe("1 late");
    expect(text("urgent-A4")).toContain("late-shipment deadline passed 12-02 10:00");
    expect(text("urgent-A4")).toContain("due 12-02 10:00"); // 02:00 UTC read in Shanghai
    expect(text("urgent-A8")).toContain("VIP buyer");
    expect(text("picks-total")).toBe("4 picks, 12 units today");
    const bars = [...root.querySelectorAll('[data-testid="picks-chart"] rect')];
    expect(bars).toHaveLength(24);
    expect(bars.map((b) => Number(b.getAttribute("height")))).toEqual(
      HOURS.map((h) => (h.hour === 9 ? 60 : h.hour === 13 ? 20 : 0)),
    );
    expect(bars[14]?.getAttribute("class")).toContain("picks-bar-now"); // 14:00 in Shanghai
    expect(text("stock-out-SKU-OUT")).toContain("1 orders wait for 3");
    expect(text("stock-out-count")).toContain("4 sold out");
    expect(text("as-of")).toMatch(/^As of \d\d:\d\d$/);
  });

  it("speaks Chinese", async () => {
    lang.value = "zh-CN";
    mount(online());

    await vi.waitFor(() => expect(byTestId("card-urgent")).not.toBeNull());
    expect(text("due-shipped")).toBe("今日应发 4 单，已发 1 单");
    expect(text("urgent-A4")).toContain("发货时限已过");
    expect(text("stock-out-SKU-OUT")).toContain("红茶 250g");
    expect(root.textContent).toContain("待审核");
  });

  it("offline, shows the last day fetched with its time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(2026, 11, 2, 11, 0));
    saveView(viewKey("today", SESSION.userId, 1), { at: new Date(2026, 11, 2, 10, 32).getTime(), data: REPORT });
    mount(offline());

    await vi.waitFor(() => expect(text("as-of")).toBe("As of 10:32, offline"));
    expect(text("offline")).toContain("showing the last view fetched");
    expect(text("paid-today")).toBe("5");
    expect(text("late-count")).toBe("1 late");
  });

  it("offline with nothing kept says so; back online, refresh fetches and keeps the day", async () => {
    const fake = offline();
    mount(fake);

    await vi.waitFor(() => expect(text("offline")).toContain("nothing fetched before"));
    expect(byTestId("card-orders")).toBeNull();

    fake.answer(() => REPORT);
    byTestId("refresh")?.click();

    await vi.waitFor(() => expect(text("paid-today")).toBe("5"));
    expect(byTestId("offline")).toBeNull();
    expect(fake.api).toHaveBeenCalledTimes(2);
    expect(localStorage.getItem(viewKey("today", SESSION.userId, 1))).toContain('"orders_paid_today":5');
  });
});
