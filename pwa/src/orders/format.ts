// Money and times as the order screens show them.

import { asOfTime } from "../manager/last-view";

/** 分 to "¥12.34" (CNY) or "USD 12.34"; integers only, no float rounding surprises. */
export function money(minor: number, currency: string): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(minor));
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  return currency === "CNY" ? `${sign}¥${text}` : `${sign}${currency} ${text}`;
}

/** "10:32" today, "11-30 10:32" another day (device clock); "" when unreadable. */
export function when(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return "";
  const at = Date.parse(iso);
  return Number.isNaN(at) ? "" : asOfTime(at, now);
}
