// Bars per category; several series stack (positives up from zero, negatives down). Each bar
// segment has a <title> (long press on a phone, hover on a desk) with its exact value.

import type { JSX } from "preact";
import type { Lang } from "../../i18n/i18n";
import type { Chart } from "../report-types";
import { Axes, ChartSvg, frameFor, px } from "./frame";
import { stack } from "./scale";
import { PALETTE, pointTitle } from "./summary";

export function BarChart(props: { chart: Chart; language: Lang; summary: string }): JSX.Element {
  const { chart, language } = props;
  const { segments, lo, hi } = stack(
    chart.series.map((s) => s.values),
    chart.x.length,
  );
  const frame = frameFor(chart.x.length, lo, hi, chart.unit, language);
  const width = px(Math.max(1, frame.band * 0.7));
  return (
    <ChartSvg kind="bar" summary={props.summary}>
      <Axes frame={frame} x={chart.x} />
      <g class="chart-bars">
        {segments.map((seg) => {
          const a = frame.y(seg.from);
          const b = frame.y(seg.to);
          const series = chart.series[seg.series];
          return (
            <rect
              key={`${seg.series}-${seg.index}`}
              class={`chart-bar chart-s${seg.series % PALETTE}`}
              data-series={series?.key}
              data-index={seg.index}
              x={px(frame.x(seg.index) - width / 2)}
              y={px(Math.min(a, b))}
              width={width}
              height={px(Math.abs(b - a))}
            >
              <title>{pointTitle(chart, seg.index, series, seg.value, language)}</title>
            </rect>
          );
        })}
      </g>
    </ChartSvg>
  );
}
