import { describe, expect, it } from "vitest";
import { addDays, defaultQuery, paramsFor, rangeOf, readQuery, todayIn, type ReportQuery } from "./filters";

const q = (patch: Partial<ReportQuery>): ReportQuery => ({ ...defaultQuery(1), ...patch });

describe("report filters", () => {
  it("turns each preset into days, across month and year ends", () => {
    expect(rangeOf(q({ preset: "today" }), "2026-12-02")).toEqual({ from: "2026-12-02", to: "2026-12-02" });
    expect(rangeOf(q({ preset: "7d" }), "2026-12-02")).toEqual({ from: "2026-11-26", to: "2026-12-02" });
    expect(rangeOf(q({ preset: "30d" }), "2026-03-01")).toEqual({ from: "2026-01-31", to: "2026-03-01" });
    expect(rangeOf(q({ preset: "month" }), "2026-12-02")).toEqual({ from: "2026-12-01", to: "2026-12-02" });
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
  });

  it("takes a custom range only when both days are set and in order", () => {
    expect(rangeOf(q({ preset: "custom", from: "2026-10-01", to: "2026-10-31" }), "2026-12-02")).toEqual({
      from: "2026-10-01",
      to: "2026-10-31",
    });
    expect(rangeOf(q({ preset: "custom", from: "2026-10-31", to: "2026-10-01" }), "2026-12-02")).toBeNull();
    expect(paramsFor(q({ preset: "custom", from: null, to: "2026-10-01" }), "2026-12-02")).toBeNull();
    expect(paramsFor(q({ preset: "today", platform: "jd", channelId: 4 }), "2026-12-02")).toEqual({
      dateFrom: "2026-12-02",
      dateTo: "2026-12-02",
      warehouseId: 1,
      platform: "jd",
      channelId: 4,
    });
  });

  it("finds today in the warehouse's zone", () => {
    const lateUtc = Date.UTC(2026, 11, 1, 17, 0); // 01:00 on Dec 2 in Shanghai, 23:00 on Dec 1 in Urumqi
    expect(todayIn("Asia/Shanghai", lateUtc)).toBe("2026-12-02");
    expect(todayIn("Asia/Urumqi", lateUtc)).toBe("2026-12-01");
    expect(todayIn("Not/AZone", lateUtc)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("reads back a kept query, refusing what is not one", () => {
    expect(readQuery({ preset: "30d", warehouseId: 2, platform: "", channelId: "x" })).toEqual({
      preset: "30d",
      from: null,
      to: null,
      warehouseId: 2,
      platform: null,
      channelId: null,
    });
    expect(readQuery({ preset: "year" })).toBeNull();
    expect(readQuery(null)).toBeNull();
    expect(readQuery({ preset: "custom", from: "2026-13-45", to: "2026-12-01" })?.from).toBeNull();
  });
});
