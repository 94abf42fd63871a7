import { describe, expect, it } from "vitest";
import type { Unit } from "./report-types";
import { NONE, formatDateTime, formatFen, formatTick, formatValue, isNumeric, unitName } from "./units";

describe("report units", () => {
  it("writes fen as yuan with thousands separators, exactly", () => {
    expect(formatFen(123450)).toBe("¥1,234.50");
    expect(formatFen(0)).toBe("¥0.00");
    expect(formatFen(5)).toBe("¥0.05");
    expect(formatFen(-123450)).toBe("-¥1,234.50");
    expect(formatFen(123456789012)).toBe("¥1,234,567,890.12");
    expect(formatValue(12345050, "fen")).toBe("¥123,450.50");
  });

  it("writes every unit in both languages", () => {
    const cases: [number | string, Unit, string, string][] = [
      [1234, "count", "1,234", "1,234"],
      [1520, "qty", "1,520", "1,520"],
      [2.5, "percent", "2.5%", "2.5%"],
      [100, "percent", "100%", "100%"],
      [12.345, "percent", "12.3%", "12.3%"],
      [18.5, "hours", "18.5 h", "18.5 小时"],
      [42, "minutes", "42 min", "42 分钟"],
      [3, "days", "3 d", "3 天"],
      [45.25, "per_hour", "45.3/h", "45.3/小时"],
      ["天猫旗舰店", "text", "天猫旗舰店", "天猫旗舰店"],
      ["2026-12-02", "date", "2026-12-02", "2026-12-02"],
    ];
    for (const [value, unit, en, zh] of cases) {
      expect(formatValue(value, unit, { lang: "en" }), unit).toBe(en);
      expect(formatValue(value, unit, { lang: "zh-CN" }), unit).toBe(zh);
    }
  });

  it("shows nothing to measure as a dash, for every unit", () => {
    const units: Unit[] = ["fen", "count", "qty", "percent", "hours", "minutes", "days", "per_hour", "text", "date", "datetime"];
    for (const unit of units) {
      expect(formatValue(null, unit)).toBe(NONE);
      expect(formatValue(undefined, unit)).toBe(NONE);
    }
    expect(NONE).toBe("—");
    expect(formatValue(Number.NaN, "count")).toBe(NONE);
  });

  it("reads a datetime in the report's zone", () => {
    expect(formatValue("2026-12-02T02:00:00Z", "datetime", { timeZone: "Asia/Shanghai" })).toBe("2026-12-02 10:00");
    expect(formatDateTime("2026-12-01T17:30:00Z", "Asia/Urumqi")).toBe("2026-12-01 23:30");
    expect(formatDateTime("not a time", "Asia/Shanghai")).toBe("not a time");
    expect(formatDateTime("2026-12-02T02:00:00Z", "Mars/Olympus")).toBe("2026-12-02T02:00:00Z");
  });

  it("shortens axis ticks the way each language counts", () => {
    expect(formatTick(0, "fen", "en")).toBe("¥0");
    expect(formatTick(150000, "fen", "en")).toBe("¥1.5k");
    expect(formatTick(150000, "fen", "zh-CN")).toBe("¥1,500");
    expect(formatTick(12000000, "fen", "zh-CN")).toBe("¥12万");
    expect(formatTick(25000, "count", "zh-CN")).toBe("2.5万");
    expect(formatTick(3e8, "count", "zh-CN")).toBe("3亿");
    expect(formatTick(2_500_000, "qty", "en")).toBe("2.5M");
    expect(formatTick(50, "percent", "en")).toBe("50%");
    expect(formatTick(0.5, "hours", "en")).toBe("0.5");
  });

  it("aligns numbers right and names units the ticks leave out", () => {
    expect(isNumeric("fen")).toBe(true);
    expect(isNumeric("text")).toBe(false);
    expect(isNumeric("datetime")).toBe(false);
    expect(unitName("hours", "zh-CN")).toBe("小时");
    expect(unitName("fen", "en")).toBe("");
  });
});
