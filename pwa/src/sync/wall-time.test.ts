import { describe, expect, test } from "vitest";
import { formatWallTime, parseRfc3339 } from "./wall-time";

const T = Date.UTC(2026, 10, 30, 8, 0, 0);

describe("RFC 3339 times", () => {
  test("wall_time is the device's local time with its offset", () => {
    expect(formatWallTime(T, 480)).toBe("2026-11-30T16:00:00+08:00");
    expect(formatWallTime(T, 0)).toBe("2026-11-30T08:00:00+00:00");
    expect(formatWallTime(T + 5, -330)).toBe("2026-11-30T02:30:00.005-05:30");
    expect(formatWallTime(T, 600)).toBe("2026-11-30T18:00:00+10:00");
    expect(formatWallTime(Date.UTC(2026, 11, 31, 20, 0, 0), 480)).toBe("2027-01-01T04:00:00+08:00");
  });

  test("server times read back to the same instant", () => {
    expect(parseRfc3339("2026-11-30T16:00:00+08:00")).toBe(T);
    expect(parseRfc3339("2026-11-30T08:00:00.123456Z")).toBe(T + 123);
    expect(parseRfc3339(formatWallTime(T + 5, -330))).toBe(T + 5);
    expect(parseRfc3339("yesterday")).toBeNull();
    expect(parseRfc3339("")).toBeNull();
  });
});
