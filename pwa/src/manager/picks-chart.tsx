// Picks per hour as a tiny inline SVG bar chart: 24 bars, no chart library (the phone downloads
// every kilobyte over warehouse Wi-Fi). Each bar has a <title> so a long press shows its numbers.

import type { JSX } from "preact";
import { t } from "../i18n/i18n";
import { todayText } from "./messages";
import type { HourPicks } from "./today-types";

const BAR = 8;
const GAP = 2;
const HEIGHT = 60;
const LABELS = 12;

export function PicksChart(props: { hours: readonly HourPicks[]; currentHour: number | null }): JSX.Element {
  const { hours } = props;
  const top = Math.max(1, ...hours.map((h) => h.picks));
  const width = hours.length * (BAR + GAP);
  return (
    <svg
      class="picks-chart"
      data-testid="picks-chart"
      viewBox={`0 0 ${width} ${HEIGHT + LABELS}`}
      role="img"
      aria-label={t(todayText.picks)}
      preserveAspectRatio="none"
    >
      {hours.map((h, i) => {
        const tall = h.picks === 0 ? 0 : Math.max(2, Math.round((h.picks / top) * HEIGHT));
        const future = props.currentHour !== null && i > props.currentHour;
        return (
          <g key={h.starts_at}>
            <rect
              class={`picks-bar${future ? " picks-bar-future" : ""}${i === props.currentHour ? " picks-bar-now" : ""}`}
              data-hour={h.hour}
              data-picks={h.picks}
              x={i * (BAR + GAP)}
              y={HEIGHT - tall}
              width={BAR}
              height={tall}
            >
              <title>
                {t(todayText.barTitle, { hour: String(h.hour).padStart(2, "0"), picks: h.picks, units: h.units })}
              </title>
            </rect>
            {h.hour % 6 === 0 && (
              <text class="picks-label" x={i * (BAR + GAP)} y={HEIGHT + LABELS - 1}>
                {h.hour}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** Index of the bucket holding `now` (ms), or null when `now` is outside the report's day. */
export function currentBucket(hours: readonly HourPicks[], now: number): number | null {
  let found: number | null = null;
  hours.forEach((h, i) => {
    if (Date.parse(h.starts_at) <= now) found = i;
  });
  const last = hours[hours.length - 1];
  if (found === null || last === undefined || now >= Date.parse(last.starts_at) + 3_600_000) return null;
  return found;
}
