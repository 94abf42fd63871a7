import { describe, expect, it } from "vitest";
import { currentBucket } from "./picks-chart";
import type { HourPicks } from "./today-types";
import { zoneTime } from "./zone-time";

describe("report times", () => {
  it("reads a deadline in the warehouse's zone, whatever the phone's", () => {
    expect(zoneTime("2026-12-02T02:00:00Z", "Asia/Shanghai")).toBe("12-02 10:00");
    expect(zoneTime("2026-12-02T02:00:00Z", "Asia/Urumqi")).toBe("12-02 08:00");
    expect(zoneTime("not a time", "Asia/Shanghai")).toBe("not a time");
  });

  it("finds the hour now falls in, and none outside the day", () => {
    const hours: HourPicks[] = [0, 1, 2].map((h) => ({
      hour: h,
      starts_at: new Date(Date.UTC(2026, 11, 1, 16 + h)).toISOString(),
      picks: 0,
      units: 0,
    }));
    expect(currentBucket(hours, Date.UTC(2026, 11, 1, 17, 30))).toBe(1);
    expect(currentBucket(hours, Date.UTC(2026, 11, 1, 15, 59))).toBeNull();
    expect(currentBucket(hours, Date.UTC(2026, 11, 1, 19, 0))).toBeNull();
  });
});
