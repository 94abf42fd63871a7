// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../app/api";
import { route } from "../app/router";
import { ServicesContext, type AppServices } from "../app/services";
import { lang } from "../i18n/i18n";
import { saveView } from "../manager/last-view";
import { ManagerScreen } from "../manager/manager-screen";
import { SESSION, fakeApi, type FakeApi } from "../manager/test-support";
import { updateMeta } from "../store/meta";
import { freshDb } from "../store/test-support";
import { NetworkError } from "../sync/transport";
import { defaultQuery } from "./filters";
import type { Report } from "./report-types";
import { reportViewKey, type ReportView } from "./report-view";
import { ReportsScreen } from "./reports-screen";
import { EMPTY_FULFILMENT, SALES } from "./test-fixtures";

const SEVEN_DAYS = "/api/reports/sales?date_from=2026-11-26&date_to=2026-12-02&warehouse_id=1";

let root: HTMLElement;

beforeEach(() => {
  lang.value = "en";
  localStorage.clear();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-02T06:00:00Z")); // Dec 2 both in UTC and in Shanghai
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function mount(services: AppServices, args: string[] = ["sales"]): void {
  render(
    <ServicesContext.Provider value={services}>
      <ReportsScreen args={args} />
    </ServicesContext.Provider>,
    root,
  );
}

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";
const paths = (fake: FakeApi): string[] => fake.api.mock.calls.map((call) => call[1]);
const lastPath = (fake: FakeApi): string | undefined => paths(fake).at(-1);

function answering(report: Report = SALES): FakeApi {
  return fakeApi((_method, path) => {
    if (!path.startsWith(`/api/reports/${report.report}`)) throw new Error(`unexpected ${path}`);
    return report;
  });
}

function pick(testId: string, value: string): void {
  const field = byTestId(testId) as HTMLSelectElement | HTMLInputElement | null;
  if (field === null) throw new Error(`no ${testId}`);
  field.value = value;
  field.dispatchEvent(new Event("change", { bubbles: true }));
}

function keep(view: ReportView, at: number): void {
  saveView(reportViewKey("sales", SESSION.userId), { at, data: view });
}

describe("report page", () => {
  it("asks for the business day, not the phone's, before any answer has named a zone", async () => {
    // 23:30 on Dec 1 in UTC is 07:30 on Dec 2 in Shanghai: "last 7 days" ends on the 2nd.
    vi.setSystemTime(new Date("2026-12-01T23:30:00Z"));
    const fake = answering();
    mount(fake.services);
    await vi.waitFor(() => expect(byTestId("report-sales")).not.toBeNull());
    expect(paths(fake)[0]).toBe(SEVEN_DAYS);
  });

  it("draws a report from the envelope: tiles, charts, tables, the truncated note", async () => {
    const fake = answering();
    mount(fake.services);

    await vi.waitFor(() => expect(byTestId("report-sales")).not.toBeNull());
    expect(paths(fake)).toEqual([SEVEN_DAYS]);
    expect(root.querySelector("h1")?.textContent).toBe("Sales");
    expect(text("report-range")).toBe("2026-11-26 – 2026-12-02 · Asia/Shanghai");
    expect(text("tile-value-orders")).toBe("1,234");
    expect(text("tile-value-sales")).toBe("¥123,450.50");
    expect(text("tile-value-avg_order")).toBe("¥100.04");
    expect(text("tile-value-refund_rate")).toBe("2.5%");
    expect(text("tile-value-ship_hours")).toBe("—");

    expect(byTestId("chart-sales_by_day")?.querySelectorAll("rect.chart-bar")).toHaveLength(15);
    expect(byTestId("chart-orders_by_day")?.querySelector("svg")?.getAttribute("aria-label")).toContain("Orders by day");

    const table = byTestId("table-by_channel");
    const head = [...(table?.querySelectorAll("thead th") ?? [])].map((th) => th.textContent);
    expect(head).toEqual(["Shop", "Platform", "Orders", "Sales", "Refunded"]);
    const first = table?.querySelector("tbody tr");
    expect(first?.querySelector("th[scope=row]")?.textContent).toBe("天猫旗舰店"); // the sticky column
    expect([...(first?.querySelectorAll("td") ?? [])].map((td) => [td.textContent, td.className])).toEqual([
      ["Tmall", ""],
      ["800", "num"],
      ["¥90,000.00", "num"],
      ["2.1%", "num"],
    ]);
    expect(table?.querySelectorAll("tbody tr")[2]?.lastElementChild?.textContent).toBe("—");
    expect(table?.querySelector(".report-scroll")).not.toBeNull();
    expect(byTestId("truncated-by_channel")).toBeNull();
    expect(text("truncated-top_skus")).toBe("Showing the first 2 rows — export CSV for all.");
    expect(byTestId("table-top_skus")?.querySelector("tbody td:last-child")?.textContent).toBe("2026-12-02 10:00");
    expect(byTestId("report-empty")).toBeNull();
    expect(text("as-of")).toMatch(/^As of \d\d:\d\d$/);
  });

  it("speaks Chinese, labels from the server", async () => {
    lang.value = "zh-CN";
    mount(answering().services);

    await vi.waitFor(() => expect(byTestId("report-sales")).not.toBeNull());
    expect(root.querySelector("h1")?.textContent).toBe("销售报表");
    expect(text("tile-orders")).toContain("订单数");
    expect(text("truncated-top_skus")).toBe("仅显示前 2 行，导出 CSV 查看全部。");
    expect(text("preset-7d")).toBe("近 7 天");
    expect(byTestId("pick-platform")?.textContent).toContain("拼多多");
  });

  it("asks again with each filter changed", async () => {
    const fake = answering();
    mount(fake.services);
    await vi.waitFor(() => expect(byTestId("pick-platform")).not.toBeNull());

    byTestId("preset-today")?.click();
    await vi.waitFor(() =>
      expect(lastPath(fake)).toBe("/api/reports/sales?date_from=2026-12-02&date_to=2026-12-02&warehouse_id=1"),
    );
    expect(byTestId("preset-today")?.getAttribute("aria-pressed")).toBe("true");

    byTestId("preset-30d")?.click();
    await vi.waitFor(() => expect(lastPath(fake)).toContain("date_from=2026-11-03&date_to=2026-12-02"));

    byTestId("preset-month")?.click();
    await vi.waitFor(() => expect(lastPath(fake)).toContain("date_from=2026-12-01&date_to=2026-12-02"));

    pick("pick-platform", "jd");
    await vi.waitFor(() => expect(lastPath(fake)).toContain("&platform=jd"));
    pick("pick-channel", "4");
    await vi.waitFor(() => expect(lastPath(fake)).toContain("&platform=jd&channel_id=4"));
    pick("pick-warehouse", "");
    await vi.waitFor(() =>
      expect(lastPath(fake)).toBe("/api/reports/sales?date_from=2026-12-01&date_to=2026-12-02&platform=jd&channel_id=4"),
    );

    byTestId("preset-custom")?.click();
    await vi.waitFor(() => expect(byTestId("date-from")).not.toBeNull());
    expect((byTestId("date-from") as HTMLInputElement).value).toBe("2026-12-01"); // starts from the range shown
    pick("date-from", "2026-10-01");
    await vi.waitFor(() => expect(lastPath(fake)).toContain("date_from=2026-10-01&date_to=2026-12-02"));

    const asked = fake.api.mock.calls.length;
    pick("date-from", "2026-12-05");
    await vi.waitFor(() => expect(text("bad-range")).toContain("the start not after the end"));
    expect(fake.api.mock.calls.length).toBe(asked); // a reversed range is never sent
  });

  it("offline, shows the kept view of this report with its filters and time", async () => {
    const at = new Date(2026, 11, 2, 10, 32).getTime();
    vi.setSystemTime(at + 30 * 60_000);
    const query = { ...defaultQuery(1), preset: "30d" as const, platform: "jd" };
    const path = "/api/reports/sales?date_from=2026-11-03&date_to=2026-12-02&warehouse_id=1&platform=jd";
    keep({ path, query, report: SALES }, at);
    const fake = fakeApi(() => {
      throw new NetworkError("down");
    });
    mount(fake.services);

    await vi.waitFor(() => expect(text("as-of")).toBe("As of 10:32, offline"));
    expect(paths(fake)).toEqual([path]); // the kept filters were asked again first
    expect(byTestId("preset-30d")?.getAttribute("aria-pressed")).toBe("true");
    expect(text("offline")).toContain("showing the last view fetched");
    expect(text("tile-value-sales")).toBe("¥123,450.50");
    expect(byTestId("other-filters")).toBeNull();
    expect((byTestId("csv-top_skus") as HTMLButtonElement).disabled).toBe(true);
    expect(text("csv-offline-top_skus")).toBe("Offline: exporting needs the server.");

    byTestId("preset-today")?.click(); // still offline: the kept view stays, marked as other filters
    await vi.waitFor(() => expect(text("other-filters")).toContain("2026-11-26 – 2026-12-02"));
    expect(text("tile-value-orders")).toBe("1,234");
  });

  it("offline with nothing kept says so", async () => {
    mount(
      fakeApi(() => {
        throw new NetworkError("down");
      }).services,
    );
    await vi.waitFor(() => expect(text("offline")).toContain("nothing fetched before"));
    expect(byTestId("report-sales")).toBeNull();
  });

  it("shows the server's refusal in the UI language", async () => {
    lang.value = "zh-CN";
    mount(
      fakeApi(() => {
        throw new ApiError(400, "validation_failed", { en: "date_from is after date_to", zh: "开始日期晚于结束日期" });
      }).services,
    );
    await vi.waitFor(() => expect(text("view-error")).toBe("开始日期晚于结束日期"));
  });

  it("says when nothing happened in the range", async () => {
    mount(answering(EMPTY_FULFILMENT).services, ["fulfilment"]);

    await vi.waitFor(() => expect(text("report-empty")).toBe("Nothing in this range."));
    expect(text("table-late")).toContain("No rows.");
    expect(text("tile-value-ship_hours")).toBe("—");
    expect(byTestId("chart-ship_hours_by_day")?.querySelector("svg")?.getAttribute("aria-label")).toBe(
      "Hours to ship: no data in this range.",
    );
    expect(byTestId("pick-platform")).toBeNull(); // no options sent: no pickers
  });

  it("exports a table as CSV with the session's token, in the UI language", async () => {
    lang.value = "zh-CN";
    const db = await freshDb();
    await updateMeta(db, "device", (device) => ({ ...device, token: "tok-7" }));
    const fake = answering();
    const fetch = vi.fn(
      async (_url: RequestInfo | URL, _init?: RequestInit) =>
        new Response("SKU,件数\nTEA-250,1520\n", {
          headers: { "Content-Disposition": "attachment; filename*=UTF-8''%E7%95%85%E9%94%80%E5%95%86%E5%93%81.csv" },
        }),
    );
    vi.stubGlobal("fetch", fetch);
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:cangku/9");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    mount({ ...fake.services, db } as AppServices);
    await vi.waitFor(() => expect(byTestId("csv-top_skus")).not.toBeNull());

    byTestId("csv-top_skus")?.click();

    await vi.waitFor(() => expect(text("csv-outcome-top_skus")).toBe("已保存 畅销商品.csv"));
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(`${SEVEN_DAYS}&format=csv&table=top_skus&lang=zh`);
    expect(init?.headers).toMatchObject({ Authorization: "Bearer tok-7" });
    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0]?.[0]).toBeInstanceOf(Blob);
    expect(clicked.map((a) => [a.download, a.getAttribute("href")])).toEqual([["畅销商品.csv", "blob:cangku/9"]]);
    db.close();
  });

  it("shows a refused export in the server's words", async () => {
    const db = await freshDb();
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        const body = { code: "token_invalid", message: "Log in again", message_zh: "请重新登录" };
        return new Response(JSON.stringify(body), { status: 401 });
      }),
    );
    mount({ ...answering().services, db } as AppServices);
    await vi.waitFor(() => expect(byTestId("csv-by_channel")).not.toBeNull());

    byTestId("csv-by_channel")?.click();

    await vi.waitFor(() => expect(text("csv-outcome-by_channel")).toBe("Log in again"));
    expect((byTestId("csv-by_channel") as HTMLButtonElement).disabled).toBe(false);
    db.close();
  });
});

describe("reports list", () => {
  it("lists the five reports and opens one", async () => {
    mount(answering().services, []);
    const links = [...root.querySelectorAll("[data-testid^=report-link-]")].map((b) => b.getAttribute("data-testid"));
    expect(links).toEqual([
      "report-link-sales",
      "report-link-fulfilment",
      "report-link-productivity",
      "report-link-stock",
      "report-link-counts",
    ]);
    byTestId("report-link-stock")?.click();
    expect(route.value).toEqual({ name: "reports", args: ["stock"] });
  });

  it("says so for a report that does not exist", () => {
    mount(answering().services, ["profit"]);
    expect(text("unknown-report")).toBe("No report is called “profit”.");
    expect(byTestId("report-link-sales")).not.toBeNull();
  });

  it("is a tap away from the manager's day", () => {
    const fake = fakeApi(() => {
      throw new NetworkError("down");
    });
    render(
      <ServicesContext.Provider value={fake.services}>
        <ManagerScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    byTestId("open-reports")?.click();
    expect(route.value).toEqual({ name: "reports", args: [] });
  });
});
