// One chart of a report as a card: caption (with the unit where the ticks don't say it), the SVG
// of its kind, and a legend in HTML (it wraps, in either language) when there are several series.

import type { JSX } from "preact";
import { lang } from "../../i18n/i18n";
import type { Chart } from "../report-types";
import { unitName } from "../units";
import { BarChart } from "./bar-chart";
import { LineChart } from "./line-chart";
import { labelOf } from "../labels";
import { PALETTE, summarize } from "./summary";
import "./charts.css";

export function ReportChart(props: { chart: Chart }): JSX.Element {
  const { chart } = props;
  const language = lang.value;
  const unit = unitName(chart.unit, language);
  const summary = summarize(chart, language);
  const Kind = chart.kind === "line" ? LineChart : BarChart;
  return (
    <figure class="report-card chart-figure" data-testid={`chart-${chart.key}`}>
      <figcaption>
        {labelOf(chart, language)}
        {unit !== "" && <span class="report-muted"> ({unit})</span>}
      </figcaption>
      <Kind chart={chart} language={language} summary={summary} />
      {chart.series.length > 1 && (
        <ul class="chart-legend">
          {chart.series.map((series, s) => (
            <li key={series.key}>
              <span class={`chart-swatch chart-s${s % PALETTE}`} aria-hidden="true" />
              {labelOf(series, language)}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
