// What a chart says in words, for its aria-label (a screen reader gets the gist; the table below
// the charts has every number), plus the label and colour helpers the charts share.

import { messages, tIn, type Lang } from "../../i18n/i18n";
import { labelOf } from "../labels";
import type { Chart, Series } from "../report-types";
import { formatValue } from "../units";

/** Series colours: chart-s0 … chart-s5 in charts.css. */
export const PALETTE = 6;

const text = messages({
  range: { en: "{title}, {first} to {last}.", zh: "{title}，{first} 至 {last}。" },
  totalMax: {
    en: "{series}: total {total}, highest {max} ({at}).",
    zh: "{series}：合计 {total}，最高 {max}（{at}）。",
  },
  lowHigh: {
    en: "{series}: lowest {min} ({minAt}), highest {max} ({at}).",
    zh: "{series}：最低 {min}（{minAt}），最高 {max}（{at}）。",
  },
  empty: { en: "{title}: no data in this range.", zh: "{title}：该时间段没有数据。" },
});


/** Units a total makes sense for (a sum of averages or percentages does not). */
const ADDITIVE = new Set(["fen", "count", "qty"]);

function describe(chart: Chart, series: Series, language: Lang): string | null {
  const points = series.values
    .map((value, i) => ({ value, at: chart.x[i] ?? "" }))
    .filter((p): p is { value: number; at: string } => p.value !== null && Number.isFinite(p.value));
  if (points.length === 0) return null;
  const fmt = (v: number): string => formatValue(v, chart.unit, { lang: language });
  const max = points.reduce((a, b) => (b.value > a.value ? b : a));
  const min = points.reduce((a, b) => (b.value < a.value ? b : a));
  const name = labelOf(series, language);
  if (ADDITIVE.has(chart.unit)) {
    const total = points.reduce((sum, p) => sum + p.value, 0);
    return tIn(language, text.totalMax, { series: name, total: fmt(total), max: fmt(max.value), at: max.at });
  }
  const extremes = { min: fmt(min.value), minAt: min.at, max: fmt(max.value), at: max.at };
  return tIn(language, text.lowHigh, { series: name, ...extremes });
}

/** A bar's or point's tooltip: "2026-12-02 · Tmall: ¥1,200.00". */
export function pointTitle(
  chart: Chart,
  index: number,
  series: Series | undefined,
  value: number,
  language: Lang,
): string {
  const name = series === undefined ? "" : labelOf(series, language);
  return `${chart.x[index] ?? ""} · ${name}: ${formatValue(value, chart.unit, { lang: language })}`;
}

export function summarize(chart: Chart, language: Lang): string {
  const title = labelOf(chart, language);
  const lines = chart.series.map((s) => describe(chart, s, language)).filter((l): l is string => l !== null);
  if (lines.length === 0 || chart.x.length === 0) return tIn(language, text.empty, { title });
  const head = tIn(language, text.range, { title, first: chart.x[0] ?? "", last: chart.x[chart.x.length - 1] ?? "" });
  return [head, ...lines].join(" ");
}
