// How a report number reads, per unit of the envelope: money as ¥ with thousands separators (from
// integer fen, so no float ever rounds a cent), percent, hours… and "—" for nothing to measure.
// Axis ticks get a shorter form (¥1.2万 / ¥12k) so a phone-wide chart keeps its labels.

import { lang as currentLang, type Lang } from "../i18n/i18n";
import type { Cell, Unit } from "./report-types";

/** Shown for null: nothing to measure in the range, which is not zero. */
export const NONE = "—";

export interface FormatOptions {
  readonly lang?: Lang;
  /** Zone datetimes are read in (the report's); the phone's when absent. */
  readonly timeZone?: string;
}

const SUFFIX: Partial<Record<Unit, { readonly en: string; readonly zh: string }>> = {
  hours: { en: " h", zh: " 小时" },
  minutes: { en: " min", zh: " 分钟" },
  days: { en: " d", zh: " 天" },
  per_hour: { en: "/h", zh: "/小时" },
  percent: { en: "%", zh: "%" },
};

/** 1234567.5 → "1,234,567.5" with at most `decimals` decimals. */
export function groupDigits(n: number, decimals = 0, minDecimals = 0): string {
  return new Intl.NumberFormat("en-US", {
    maximumFractionDigits: decimals,
    minimumFractionDigits: Math.min(minDecimals, decimals),
  }).format(n);
}

/** 123450 fen → "¥1,234.50"; exact, by integer arithmetic. */
export function formatFen(fen: number): string {
  const whole = Math.round(fen);
  const abs = Math.abs(whole);
  const cents = String(abs % 100).padStart(2, "0");
  return `${whole < 0 ? "-" : ""}¥${groupDigits(Math.floor(abs / 100))}.${cents}`;
}

/** "2026-12-02T02:00:00Z" → "2026-12-02 10:00" in `timeZone`. */
export function formatDateTime(iso: string, timeZone?: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  try {
    const parts = new Intl.DateTimeFormat("en-GB", {
      ...(timeZone === undefined ? {} : { timeZone }),
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(moment);
    const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "";
    return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
  } catch {
    return iso; // an unknown zone: the raw time beats a wrong one
  }
}

export function formatValue(value: Cell | undefined, unit: Unit, options: FormatOptions = {}): string {
  if (value === null || value === undefined) return NONE;
  const language = options.lang ?? currentLang.value;
  if (typeof value === "string") return unit === "datetime" ? formatDateTime(value, options.timeZone) : value;
  if (!Number.isFinite(value)) return NONE;
  const suffix = SUFFIX[unit];
  switch (unit) {
    case "fen":
      return formatFen(value);
    case "count":
    case "qty":
      return groupDigits(value, 2);
    case "text":
    case "date":
    case "datetime":
      return String(value);
    default:
      return `${groupDigits(value, 1)}${suffix === undefined ? "" : language === "en" ? suffix.en : suffix.zh}`;
  }
}

/** Numbers line up on the right; text and dates read from the left. */
export function isNumeric(unit: Unit): boolean {
  return unit !== "text" && unit !== "date" && unit !== "datetime";
}

function compact(n: number, language: Lang): string {
  const abs = Math.abs(n);
  const steps: readonly [number, string][] =
    language === "en"
      ? [
          [1e9, "B"],
          [1e6, "M"],
          [1e3, "k"],
        ]
      : [
          [1e8, "亿"],
          [1e4, "万"],
        ];
  for (const [size, mark] of steps) {
    if (abs >= size) return `${groupDigits(n / size, 1)}${mark}`;
  }
  return groupDigits(n, 2);
}

/** An axis label: short (¥1.2万, 12k, 50%), in the unit's terms. */
export function formatTick(value: number, unit: Unit, language: Lang = currentLang.value): string {
  if (unit === "fen") return `¥${compact(value / 100, language)}`;
  if (unit === "percent") return `${groupDigits(value, 1)}%`;
  return compact(value, language);
}

/** The unit's name for a chart caption ("hours"); empty where the ticks already say it. */
export function unitName(unit: Unit, language: Lang = currentLang.value): string {
  const names: Partial<Record<Unit, { readonly en: string; readonly zh: string }>> = {
    hours: { en: "hours", zh: "小时" },
    minutes: { en: "minutes", zh: "分钟" },
    days: { en: "days", zh: "天" },
    per_hour: { en: "per hour", zh: "每小时" },
    qty: { en: "units", zh: "件" },
  };
  const name = names[unit];
  return name === undefined ? "" : language === "en" ? name.en : name.zh;
}
