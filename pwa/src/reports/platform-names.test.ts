import { describe, expect, it } from "vitest";
import { withPlatformNames } from "./platform-names";
import type { Report } from "./report-types";
import { SALES } from "./test-fixtures";

const BY_PLATFORM: Report = {
  ...SALES,
  charts: [
    ...SALES.charts,
    {
      key: "gmv_by_platform",
      label_en: "GMV by platform",
      label_zh: "各平台成交额",
      kind: "bar",
      unit: "fen",
      x: ["tmall", "pdd"],
      series: [{ key: "gmv", label_en: "GMV", label_zh: "成交额", values: [5, 3] }],
    },
  ],
};

describe("platform names", () => {
  it("names the platform column of every table in the app's language", () => {
    const zh = withPlatformNames(BY_PLATFORM, "zh-CN");
    const table = zh.tables.find((t) => t.columns.some((c) => c.key === "platform"));
    expect(table).toBeDefined();
    const at = table!.columns.findIndex((c) => c.key === "platform");
    const original = BY_PLATFORM.tables.find((t) => t.key === table!.key)!;
    const keys = original.rows.map((row) => row[at]);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys).toEqual(["tmall", "jd", "pdd"]);
    expect(table!.rows.map((row) => row[at])).toEqual(["天猫", "京东", "拼多多"]);
    // other columns are untouched
    expect(table!.rows.map((row) => row[0])).toEqual(original.rows.map((row) => row[0]));
  });

  it("names a chart whose x axis is platforms, and leaves a chart by day alone", () => {
    const en = withPlatformNames(BY_PLATFORM, "en");
    expect(en.charts.find((c) => c.key === "gmv_by_platform")!.x).toEqual(["Tmall", "Pinduoduo"]);
    expect(en.charts.find((c) => c.key === "orders_by_day")!.x).toEqual(BY_PLATFORM.charts[1]!.x);
  });

  it("keeps a key it does not know, and a report without options as it is", () => {
    const odd: Report = { ...BY_PLATFORM, options: { ...BY_PLATFORM.options!, platforms: [] } };
    expect(withPlatformNames(odd, "zh-CN")).toBe(odd);
    const partial: Report = {
      ...BY_PLATFORM,
      options: { ...BY_PLATFORM.options!, platforms: [{ value: "tmall", label_en: "Tmall", label_zh: "天猫" }] },
    };
    const chart = withPlatformNames(partial, "zh-CN").charts.find((c) => c.key === "gmv_by_platform")!;
    expect(chart.x).toEqual(["tmall", "pdd"]); // not all known: left alone rather than half-named
  });
});
