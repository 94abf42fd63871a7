// Typed client of GET /api/reports/{report}: the query string of a set of filters (JSON for the
// page, CSV for one table's export) and the fetch. Parameters are written in one fixed order so
// the same filters always make the same URL (the page refetches when the URL changes).

import type { Lang } from "../i18n/i18n";
import type { Report, ReportFilters, ReportName } from "./report-types";

/** The filters the server takes; null means "not filtered" (the server's default). */
export interface ReportParams {
  /** YYYY-MM-DD, inclusive, local days of the warehouse. */
  readonly dateFrom: string | null;
  readonly dateTo: string | null;
  readonly warehouseId: number | null;
  readonly platform: string | null;
  readonly channelId: number | null;
  /** Rows per table; the server's default when null. */
  readonly limit?: number | null;
}

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

function search(params: ReportParams, extra: readonly [string, string][] = []): string {
  const pairs: [string, string][] = [];
  const add = (name: string, value: string | number | null | undefined): void => {
    if (value !== null && value !== undefined && value !== "") pairs.push([name, String(value)]);
  };
  add("date_from", params.dateFrom);
  add("date_to", params.dateTo);
  add("warehouse_id", params.warehouseId);
  add("platform", params.platform);
  add("channel_id", params.channelId);
  add("limit", params.limit);
  const query = new URLSearchParams([...pairs, ...extra]).toString();
  return query === "" ? "" : `?${query}`;
}

export function reportPath(name: ReportName, params: ReportParams): string {
  return `/api/reports/${name}${search(params)}`;
}

/** One table of the report as CSV, headers in `language` (the rows are all of them, not the first N). */
export function csvPath(name: ReportName, params: ReportParams, table: string, language: Lang): string {
  const extra: [string, string][] = [
    ["format", "csv"],
    ["table", table],
    ["lang", language === "en" ? "en" : "zh"],
  ];
  return `/api/reports/${name}${search({ ...params, limit: null }, extra)}`;
}

/** The filters a report was made with, as parameters (so its CSV matches what is on screen). */
export function paramsOf(filters: ReportFilters): ReportParams {
  return {
    dateFrom: filters.date_from,
    dateTo: filters.date_to,
    warehouseId: filters.warehouse_id,
    platform: filters.platform,
    channelId: filters.channel_id,
  };
}

/** A missing list reads as empty, so an older or newer server never blanks the page. */
export function normalizeReport(raw: Report): Report {
  return {
    ...raw,
    tiles: raw.tiles ?? [],
    charts: (raw.charts ?? []).map((chart) => ({ ...chart, x: chart.x ?? [], series: chart.series ?? [] })),
    tables: (raw.tables ?? []).map((table) => ({
      ...table,
      rows: table.rows ?? [],
      truncated: table.truncated === true,
    })),
    options: raw.options ?? null,
  };
}

export async function fetchReport(api: Api, name: ReportName, params: ReportParams): Promise<Report> {
  return normalizeReport(await api<Report>("GET", reportPath(name, params)));
}
