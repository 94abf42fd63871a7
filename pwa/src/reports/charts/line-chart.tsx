// One line per series over the categories; a missing value (null) breaks the line rather than
// pretending a zero. Points are dotted (with their value as <title>) while there are few enough.

import type { JSX } from "preact";
import type { Lang } from "../../i18n/i18n";
import type { Chart } from "../report-types";
import { Axes, ChartSvg, frameFor, px } from "./frame";
import { PALETTE, pointTitle } from "./summary";

const MAX_DOTS = 31;

/** "M x y L x y …", starting a new move after each gap. */
export function linePath(
  values: readonly (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  let path = "";
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) {
      drawing = false;
      return;
    }
    path += `${path === "" ? "" : " "}${drawing ? "L" : "M"}${px(x(i))} ${px(y(value))}`;
    drawing = true;
  });
  return path;
}

export function LineChart(props: { chart: Chart; language: Lang; summary: string }): JSX.Element {
  const { chart, language } = props;
  const all = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const frame = frameFor(chart.x.length, Math.min(0, ...all), Math.max(0, ...all), chart.unit, language);
  return (
    <ChartSvg kind="line" summary={props.summary}>
      <Axes frame={frame} x={chart.x} />
      {chart.series.map((series, s) => (
        <g key={series.key} class={`chart-s${s % PALETTE}`} data-series={series.key}>
          <path class="chart-line" d={linePath(series.values, frame.x, frame.y)} />
          {chart.x.length <= MAX_DOTS &&
            series.values.map((value, i) =>
              value === null ? null : (
                <circle key={i} class="chart-dot" cx={px(frame.x(i))} cy={px(frame.y(value))} r={2.5}>
                  <title>{pointTitle(chart, i, series, value, language)}</title>
                </circle>
              ),
            )}
        </g>
      ))}
    </ChartSvg>
  );
}
