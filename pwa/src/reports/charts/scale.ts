// The arithmetic of our charts, kept apart from the SVG so it is tested as plain numbers: "nice"
// axis ticks (0, 2,000, 4,000… rather than 0, 1,873, 3,746), a linear scale, stacking, and a rough
// text width that counts a CJK character as a full em (店铺 is twice as wide as "ab").

export interface Ticks {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly values: readonly number[];
}

/** 1, 2 or 5 times a power of ten, near `x` (Heckbert's "nice numbers"). */
export function niceNumber(x: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(x));
  const power = 10 ** exponent;
  const fraction = x / power;
  let nice: number;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

const clean = (n: number): number => Number(n.toPrecision(12));

/**
 * About `count` ticks covering [lo, hi] at a nice step. `integer`: counts of things never get a
 * half step. A flat range (all zeros, one value) still gets an axis from zero.
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): Ticks {
  let a = Number.isFinite(lo) ? lo : 0;
  let b = Number.isFinite(hi) ? hi : 0;
  if (a > b) [a, b] = [b, a];
  if (a === b) {
    if (a > 0) a = 0;
    else if (a < 0) b = 0;
    else b = 1;
  }
  let step = niceNumber(niceNumber(b - a, false) / Math.max(1, count - 1), true);
  if (integer) step = Math.max(1, Math.round(step));
  const min = clean(Math.floor(a / step) * step);
  const max = clean(Math.ceil(b / step) * step);
  const values: number[] = [];
  for (let i = 0; min + i * step <= max + step / 2; i += 1) values.push(clean(min + i * step));
  return { min, max, step, values };
}

/** Maps [d0, d1] onto [r0, r1] (r0 > r1 for a y axis that grows upwards). */
export function linear(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export interface Segment {
  readonly series: number;
  readonly index: number;
  readonly value: number;
  /** Stacked extent: positives pile up from zero, negatives down from zero. */
  readonly from: number;
  readonly to: number;
}

/** Stacks the series per category; nulls and zeros draw nothing. */
export function stack(series: readonly (readonly (number | null)[])[], length: number): {
  segments: Segment[];
  lo: number;
  hi: number;
} {
  const segments: Segment[] = [];
  let lo = 0;
  let hi = 0;
  for (let index = 0; index < length; index += 1) {
    let up = 0;
    let down = 0;
    series.forEach((values, s) => {
      const value = values[index];
      if (value === null || value === undefined || value === 0 || !Number.isFinite(value)) return;
      const from = value > 0 ? up : down;
      const to = from + value;
      if (value > 0) up = to;
      else down = to;
      segments.push({ series: s, index, value, from, to });
    });
    lo = Math.min(lo, down);
    hi = Math.max(hi, up);
  }
  return { segments, lo, hi };
}

/** Width of `text` at `size` px, near enough to lay labels out without measuring the DOM. */
export function textWidth(text: string, size: number): number {
  let ems = 0;
  for (const ch of text) ems += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.6;
  return ems * size;
}
