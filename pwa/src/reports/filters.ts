// The filter choices of a report page and the dates they mean. Presets are kept as presets ("last
// 7 days"), not as dates, so a view reopened tomorrow moves with the calendar; "today" is the
// warehouse's (the zone of the last answer), since the server counts days in that zone.

import type { ReportParams } from "./report-client";

export const PRESETS = ["today", "7d", "30d", "month", "custom"] as const;
export type Preset = (typeof PRESETS)[number];

export interface ReportQuery {
  readonly preset: Preset;
  /** Custom range only (YYYY-MM-DD, inclusive); ignored for the other presets. */
  readonly from: string | null;
  readonly to: string | null;
  /** null: every warehouse the person may see. */
  readonly warehouseId: number | null;
  readonly platform: string | null;
  readonly channelId: number | null;
}

/** The business zone before any answer has named one: the warehouses' default (server/warehouse/models.py).
 * Not the phone's: a phone on UTC would ask at 07:00 in Shanghai for a "last 7 days" ending yesterday. */
export const DEFAULT_BUSINESS_ZONE = "Asia/Shanghai";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: unknown): value is string {
  return typeof value === "string" && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** The calendar day at `now` in `timeZone` (the phone's when absent or unknown). */
export function todayIn(timeZone: string | null | undefined, now: number = Date.now()): string {
  const format = (zone: string | undefined): string =>
    new Intl.DateTimeFormat("en-CA", {
      ...(zone === undefined ? {} : { timeZone: zone }),
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(new Date(now));
  try {
    return format(timeZone ?? undefined);
  } catch {
    return format(undefined); // unknown zone: the phone's day
  }
}

/** "2026-12-02" + n days, on the calendar (no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The days a query covers, or null for a custom range not yet valid. */
export function rangeOf(query: ReportQuery, today: string): { from: string; to: string } | null {
  switch (query.preset) {
    case "today":
      return { from: today, to: today };
    case "7d":
      return { from: addDays(today, -6), to: today };
    case "30d":
      return { from: addDays(today, -29), to: today };
    case "month":
      return { from: `${today.slice(0, 8)}01`, to: today };
    case "custom":
      return isDay(query.from) && isDay(query.to) && query.from <= query.to ? { from: query.from, to: query.to } : null;
  }
}

export function paramsFor(query: ReportQuery, today: string): ReportParams | null {
  const range = rangeOf(query, today);
  if (range === null) return null;
  return {
    dateFrom: range.from,
    dateTo: range.to,
    warehouseId: query.warehouseId,
    platform: query.platform,
    channelId: query.channelId,
  };
}

export function defaultQuery(warehouseId: number | null): ReportQuery {
  return { preset: "7d", from: null, to: null, warehouseId, platform: null, channelId: null };
}

/** A query read back from storage, or null when it is not one (older app, broken JSON). */
export function readQuery(value: unknown): ReportQuery | null {
  if (typeof value !== "object" || value === null) return null;
  const q = value as Record<string, unknown>;
  const preset = q["preset"];
  if (typeof preset !== "string" || !(PRESETS as readonly string[]).includes(preset)) return null;
  const id = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);
  return {
    preset: preset as Preset,
    from: isDay(q["from"]) ? q["from"] : null,
    to: isDay(q["to"]) ? q["to"] : null,
    warehouseId: id(q["warehouseId"]),
    platform: typeof q["platform"] === "string" && q["platform"] !== "" ? q["platform"] : null,
    channelId: id(q["channelId"]),
  };
}
