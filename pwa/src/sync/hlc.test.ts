// The HLC of SPEC.md §4.3, the same rules as sync/hlc.py.
import { describe, expect, test } from "vitest";
import { MAX_COUNTER, formatStamp, nodeOf, parseStamp, receive, tick } from "./hlc";

const T = 1_764_489_600_000;

describe("hybrid logical clock", () => {
  test("stamps read and write as <13-digit ms>-<4 hex>-<node>", () => {
    const stamp = { millis: T, counter: 26, node: "ab12cd34" };
    expect(formatStamp(stamp)).toBe("1764489600000-001a-ab12cd34");
    expect(parseStamp("1764489600000-001a-ab12cd34")).toEqual(stamp);
    expect(formatStamp({ millis: 86_400_000, counter: 0, node: "reboot01" })).toBe("0000086400000-0000-reboot01");
    for (const bad of ["yesterday", "1764489600000-001A-ab12cd34", "176448960000-0000-x", "1764489600000-0000-"]) {
      expect(parseStamp(bad)).toBeNull();
    }
  });

  test("the node is the device id's first 8 characters, made safe", () => {
    expect(nodeOf("ab12cd34-0000-4000")).toBe("ab12cd34");
    expect(nodeOf("a b/c")).toBe("a_b_c");
    expect(nodeOf("")).toBe("device");
  });

  test("local events: physical time when it moved on, else the counter", () => {
    const first = tick(null, T, "n");
    const second = tick(first, T, "n");
    const back = tick(second, T - 60_000, "n"); // the phone's clock went back
    const later = tick(back, T + 5, "n");
    expect([first, second, back, later].map(formatStamp)).toEqual([
      "1764489600000-0000-n",
      "1764489600000-0001-n",
      "1764489600000-0002-n",
      "1764489600005-0000-n",
    ]);
    expect(tick({ millis: T, counter: MAX_COUNTER, node: "n" }, T, "n")).toEqual({
      millis: T + 1,
      counter: 0,
      node: "n",
    });
  });

  test("receiving the server's time follows Kulkarni's rules (as sync/hlc.py Clock.receive)", () => {
    const last = { millis: T, counter: 3, node: "n" };
    const remote = (millis: number, counter = 0) => ({ millis, counter, node: "n" });
    expect(receive(last, remote(T + 10), T, "n")).toEqual({ millis: T + 10, counter: 1, node: "n" });
    expect(receive(last, remote(T - 10), T, "n")).toEqual({ millis: T, counter: 4, node: "n" });
    expect(receive(last, remote(T, 7), T - 5, "n")).toEqual({ millis: T, counter: 8, node: "n" });
    expect(receive(last, remote(T - 10), T + 20, "n")).toEqual({ millis: T + 20, counter: 0, node: "n" });
    expect(receive(null, remote(T), T - 1, "n")).toEqual({ millis: T, counter: 1, node: "n" });
  });
});
