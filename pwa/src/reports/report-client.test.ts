import { describe, expect, it, vi } from "vitest";
import { csvPath, fetchReport, normalizeReport, paramsOf, reportPath, type ReportParams } from "./report-client";
import type { Report } from "./report-types";
import { SALES } from "./test-fixtures";

const ALL: ReportParams = { dateFrom: null, dateTo: null, warehouseId: null, platform: null, channelId: null };

describe("report client", () => {
  it("asks for a report with the filters set, in a fixed order", () => {
    expect(reportPath("sales", ALL)).toBe("/api/reports/sales");
    expect(
      reportPath("fulfilment", {
        dateFrom: "2026-11-01",
        dateTo: "2026-11-30",
        warehouseId: 2,
        platform: "jd",
        channelId: 4,
        limit: 50,
      }),
    ).toBe("/api/reports/fulfilment?date_from=2026-11-01&date_to=2026-11-30&warehouse_id=2&platform=jd&channel_id=4&limit=50");
  });

  it("asks for one table as CSV, every row, headers in the UI language", () => {
    const params = { ...paramsOf(SALES.filters), limit: 20 };
    expect(csvPath("sales", params, "top_skus", "zh-CN")).toBe(
      "/api/reports/sales?date_from=2026-11-26&date_to=2026-12-02&warehouse_id=1&format=csv&table=top_skus&lang=zh",
    );
    expect(csvPath("stock", ALL, "slow movers", "en")).toBe("/api/reports/stock?format=csv&table=slow+movers&lang=en");
  });

  it("fetches through the app's API and reads missing lists as empty", async () => {
    const partial = { ...SALES, charts: undefined, tables: [{ ...SALES.tables[0], rows: undefined }], options: undefined };
    const api = vi.fn(async () => partial as unknown);
    const report = await fetchReport(api as never, "sales", paramsOf(SALES.filters));
    expect(api).toHaveBeenCalledWith("GET", "/api/reports/sales?date_from=2026-11-26&date_to=2026-12-02&warehouse_id=1");
    expect(report.charts).toEqual([]);
    expect(report.tables[0]?.rows).toEqual([]);
    expect(report.tables[0]?.truncated).toBe(false);
    expect(report.options).toBeNull();
    expect(normalizeReport(SALES as Report)).toEqual(SALES);
  });
});
