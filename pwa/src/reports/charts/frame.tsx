// The frame every chart draws in: a fixed viewBox (the SVG scales to the card's width, text with
// it), the y axis of nice ticks with gridlines, and category labels under bands of equal width —
// thinned out and shortened so they never overlap on a 412 px phone.

import type { ComponentChildren, JSX } from "preact";
import type { Lang } from "../../i18n/i18n";
import type { Unit } from "../report-types";
import { formatTick } from "../units";
import { linear, niceTicks, textWidth, type Ticks } from "./scale";

export const WIDTH = 400;
export const HEIGHT = 200;
export const FONT = 12;
const TOP = 8;
const BOTTOM = 20;
const RIGHT = 6;

/** Rounds a coordinate so the markup stays short and stable. */
export const px = (n: number): number => Math.round(n * 100) / 100;

export interface Frame {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  /** Width of one category. */
  readonly band: number;
  readonly ticks: Ticks;
  readonly tickLabels: readonly string[];
  /** Value → y. */
  readonly y: (v: number) => number;
  /** Category index → x of its centre. */
  readonly x: (i: number) => number;
}

export function frameFor(categories: number, lo: number, hi: number, unit: Unit, language: Lang): Frame {
  const integer = unit === "count" || unit === "qty" || unit === "fen";
  const ticks = niceTicks(lo, hi, 5, integer);
  const tickLabels = ticks.values.map((v) => formatTick(v, unit, language));
  const left = Math.ceil(Math.max(...tickLabels.map((l) => textWidth(l, FONT)))) + 8;
  const right = WIDTH - RIGHT;
  const top = TOP;
  const bottom = HEIGHT - BOTTOM;
  const band = (right - left) / Math.max(1, categories);
  return {
    left,
    right,
    top,
    bottom,
    band,
    ticks,
    tickLabels,
    y: linear([ticks.min, ticks.max], [bottom, top]),
    x: (i) => left + band * (i + 0.5),
  };
}

/** "2026-12-02" → "12-02": a chart by day needs no year on every bar. */
export function shortLabel(label: string): string {
  const day = /^\d{4}-(\d\d-\d\d)$/.exec(label);
  return day?.[1] ?? label;
}

/** `label` cut with "…" to fit `width` px. */
export function fit(label: string, width: number): string {
  if (textWidth(label, FONT) <= width) return label;
  const chars = [...label];
  while (chars.length > 1 && textWidth(`${chars.join("")}…`, FONT) > width) chars.pop();
  return `${chars.join("")}…`;
}

/** Every how many categories a label fits, given the widest one. */
export function labelEvery(labels: readonly string[], band: number): number {
  const widest = Math.max(0, ...labels.map((l) => textWidth(l, FONT)));
  if (widest + 4 <= band) return 1;
  const fitting = Math.min(widest + 4, 72); // long names are cut to 72 px rather than thinned forever
  return Math.max(1, Math.ceil(fitting / Math.max(1, band)));
}

export function Axes(props: { frame: Frame; x: readonly string[] }): JSX.Element {
  const { frame } = props;
  const labels = props.x.map(shortLabel);
  const every = labelEvery(labels, frame.band);
  return (
    <g class="chart-axes">
      {frame.ticks.values.map((value, i) => (
        <g key={value}>
          <line
            class={value === 0 ? "chart-zero" : "chart-grid"}
            x1={frame.left}
            x2={frame.right}
            y1={px(frame.y(value))}
            y2={px(frame.y(value))}
          />
          <text class="chart-tick" x={frame.left - 4} y={px(frame.y(value) + FONT / 3)} text-anchor="end">
            {frame.tickLabels[i]}
          </text>
        </g>
      ))}
      {labels.map((label, i) =>
        i % every === 0 ? (
          <text key={i} class="chart-label" x={px(frame.x(i))} y={HEIGHT - 6} text-anchor="middle">
            {fit(label, frame.band * every - 4)}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** The SVG element every chart returns: an image to assistive tech, described by `summary`. */
export function ChartSvg(props: { kind: string; summary: string; children: ComponentChildren }): JSX.Element {
  return (
    <svg
      class={`chart chart-${props.kind}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={props.summary}
      data-testid="chart-svg"
    >
      {props.children}
    </svg>
  );
}
