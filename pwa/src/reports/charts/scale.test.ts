import { describe, expect, it } from "vitest";
import { linear, niceNumber, niceTicks, stack, textWidth } from "./scale";

describe("chart scales", () => {
  it("rounds to 1, 2 or 5 times a power of ten", () => {
    expect(niceNumber(1873, true)).toBe(2000);
    expect(niceNumber(0.034, true)).toBeCloseTo(0.05);
    expect(niceNumber(1200, false)).toBe(2000);
    expect(niceNumber(7000, true)).toBe(10000);
  });

  it("ticks a range at a nice step, covering it", () => {
    expect(niceTicks(0, 1873)).toEqual({ min: 0, max: 2000, step: 500, values: [0, 500, 1000, 1500, 2000] });
    expect(niceTicks(0, 455000).values).toEqual([0, 100000, 200000, 300000, 400000, 500000]);
    expect(niceTicks(-30, 70).values).toEqual([-40, -20, 0, 20, 40, 60, 80]);
    expect(niceTicks(0, 0.3).values).toEqual([0, 0.1, 0.2, 0.3]); // no 0.30000000000000004
  });

  it("never gives counts a half step, and gives a flat range an axis from zero", () => {
    expect(niceTicks(0, 2, 5, false).values).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(0, 2, 5, true).values).toEqual([0, 1, 2]);
    expect(niceTicks(0, 0).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(7, 7, 5, true).values).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(-4, -4, 5, true).values).toEqual([-4, -3, -2, -1, 0]);
    expect(niceTicks(Number.NaN, 10).values[0]).toBe(0);
  });

  it("maps values linearly, upside down for a y axis", () => {
    const y = linear([0, 100], [180, 8]);
    expect(y(0)).toBe(180);
    expect(y(100)).toBe(8);
    expect(y(50)).toBe(94);
  });

  it("stacks positives up and negatives down, skipping gaps and zeros", () => {
    const { segments, lo, hi } = stack(
      [
        [1, 2, null],
        [3, 0, -2],
        [-1, 4, -3],
      ],
      3,
    );
    expect(segments).toEqual([
      { series: 0, index: 0, value: 1, from: 0, to: 1 },
      { series: 1, index: 0, value: 3, from: 1, to: 4 },
      { series: 2, index: 0, value: -1, from: 0, to: -1 },
      { series: 0, index: 1, value: 2, from: 0, to: 2 },
      { series: 2, index: 1, value: 4, from: 2, to: 6 },
      { series: 1, index: 2, value: -2, from: 0, to: -2 },
      { series: 2, index: 2, value: -3, from: -2, to: -5 },
    ]);
    expect([lo, hi]).toEqual([-5, 6]);
  });

  it("counts a CJK character as a full em", () => {
    expect(textWidth("ab", 10)).toBe(12);
    expect(textWidth("店铺", 10)).toBe(20);
    expect(textWidth("¥1.5万", 10)).toBeCloseTo(34);
  });
});
