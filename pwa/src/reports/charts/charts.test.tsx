// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lang } from "../../i18n/i18n";
import type { Chart } from "../report-types";
import { SALES } from "../test-fixtures";
import { labelEvery, fit, shortLabel } from "./frame";
import { linePath } from "./line-chart";
import { ReportChart } from "./report-chart";
import { summarize } from "./summary";

let root: HTMLElement;

beforeEach(() => {
  lang.value = "en";
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

function draw(chart: Chart): SVGSVGElement {
  render(<ReportChart chart={chart} />, root);
  const svg = root.querySelector("svg");
  if (svg === null) throw new Error("no svg");
  return svg;
}

const num = (el: Element | undefined, name: string): number => Number(el?.getAttribute(name));

const SIMPLE: Chart = {
  key: "picks",
  label_en: "Picks",
  label_zh: "拣货",
  kind: "bar",
  unit: "count",
  x: ["A", "B"],
  series: [
    { key: "a", label_en: "Morning", label_zh: "上午", values: [10, 30] },
    { key: "b", label_en: "Evening", label_zh: "下午", values: [20, null] },
  ],
};

describe("bar chart", () => {
  it("draws one bar per value, stacked, heights in proportion", () => {
    const svg = draw(SIMPLE);
    const bars = [...svg.querySelectorAll("rect.chart-bar")];
    expect(bars).toHaveLength(3); // the null draws nothing

    const [a0, b0, a1] = bars; // column by column, series by series
    // 10 + 20 = 30 = 30: both columns equally tall, split 1:2 in the first
    expect(num(b0, "height")).toBeCloseTo(num(a0, "height") * 2, 1);
    expect(num(a0, "height") + num(b0, "height")).toBeCloseTo(num(a1, "height"), 1);
    // the second series sits on top of the first, in the same column
    expect(num(b0, "y") + num(b0, "height")).toBeCloseTo(num(a0, "y"), 1);
    expect(num(b0, "x")).toBe(num(a0, "x"));
    expect(num(a1, "x")).toBeGreaterThan(num(a0, "x"));
    expect(b0?.getAttribute("class")).toContain("chart-s1");
    expect(b0?.querySelector("title")?.textContent).toBe("A · Evening: 20");
  });

  it("puts nice ticks on the axis and labels the days without the year", () => {
    const svg = draw(SALES.charts[0] as Chart);
    expect(svg.querySelectorAll("rect.chart-bar")).toHaveLength(15); // 21 values less one null and five zeros
    const ticks = [...svg.querySelectorAll("text.chart-tick")].map((t) => t.textContent);
    expect(ticks).toEqual(["¥0", "¥1k", "¥2k", "¥3k", "¥4k"]); // the tallest day: ¥3,000 + ¥1,000
    const labels = [...svg.querySelectorAll("text.chart-label")].map((t) => t.textContent);
    expect(labels[0]).toBe("11-26");
    expect(labels).toContain("12-02");
  });

  it("is an image described in words, with a legend for its series", () => {
    const svg = draw(SIMPLE);
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("aria-label")).toBe(
      "Picks, A to B. Morning: total 40, highest 30 (B). Evening: total 20, highest 20 (A).",
    );
    expect([...root.querySelectorAll(".chart-legend li")].map((li) => li.textContent)).toEqual(["Morning", "Evening"]);
  });

  it("speaks Chinese, and says so when there is nothing to draw", () => {
    lang.value = "zh-CN";
    const svg = draw(SIMPLE);
    expect(svg.getAttribute("aria-label")).toContain("上午：合计 40，最高 30（B）。");
    expect(root.querySelector("figcaption")?.textContent).toBe("拣货");
    const empty: Chart = { ...SIMPLE, series: [{ ...SIMPLE.series[0]!, values: [null, null] }] };
    expect(summarize(empty, "zh-CN")).toBe("拣货：该时间段没有数据。");
  });
});

describe("line chart", () => {
  it("breaks the line at a gap and dots each value", () => {
    const svg = draw(SALES.charts[1] as Chart);
    const d = svg.querySelector("path.chart-line")?.getAttribute("d") ?? "";
    expect(d.match(/M/g)).toHaveLength(2); // 7 days, the third missing
    expect(d.match(/L/g)).toHaveLength(4);
    expect(svg.querySelectorAll("circle.chart-dot")).toHaveLength(6);
    expect(svg.getAttribute("aria-label")).toContain("Orders: total 1,034, highest 220 (2026-11-30).");
    expect(svg.querySelector("circle title")?.textContent).toBe("2026-11-26 · Orders: 150");
  });

  it("names averages by their lowest and highest, not a total, and shows the unit", () => {
    const hours: Chart = {
      key: "h",
      label_en: "Hours to ship",
      label_zh: "发货用时",
      kind: "line",
      unit: "hours",
      x: ["2026-12-01", "2026-12-02"],
      series: [{ key: "avg", label_en: "Average", label_zh: "平均", values: [20, 12.5] }],
    };
    expect(summarize(hours, "en")).toContain("Average: lowest 12.5 h (2026-12-02), highest 20 h (2026-12-01).");
    draw(hours);
    expect(root.querySelector("figcaption")?.textContent).toBe("Hours to ship (hours)");
    expect(linePath([1, null, 2], (i) => i * 10, (v) => v)).toBe("M0 1 M20 2");
  });
});

describe("labels", () => {
  it("thins and cuts category labels to fit the band", () => {
    expect(shortLabel("2026-12-02")).toBe("12-02");
    expect(shortLabel("天猫旗舰店")).toBe("天猫旗舰店");
    expect(labelEvery(["12-01", "12-02"], 100)).toBe(1);
    expect(labelEvery(Array(30).fill("12-01"), 12)).toBe(4);
    expect(fit("天猫旗舰店铺很长的名字", 56)).toBe("天猫旗舰…"); // 4 em + "…" at 12 px
    expect(fit("天猫旗舰店铺很长的名字", 55)).toBe("天猫旗…");
    expect(fit("JD", 50)).toBe("JD");
  });
});
