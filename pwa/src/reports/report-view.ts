// What a report page keeps for reading offline (one per report and person, through
// manager/last-view): the answer, the filters it was asked with, and its URL — so the page can say
// when what it shows is not what is now chosen.

import { viewKey } from "../manager/last-view";
import { readQuery, type ReportQuery } from "./filters";
import { normalizeReport } from "./report-client";
import type { Report, ReportName } from "./report-types";

export interface ReportView {
  readonly path: string;
  readonly query: ReportQuery;
  readonly report: Report;
}

/** `cangku.view.report-sales.7.all`: the warehouse is one of the filters kept inside. */
export function reportViewKey(name: ReportName, userId: number): string {
  return viewKey(`report-${name}`, userId, null);
}

/** A kept view, or null when it is not one (written by an older app, or damaged). */
export function asReportView(value: unknown): ReportView | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const query = readQuery(v["query"]);
  const report = v["report"] as Report | undefined;
  if (typeof v["path"] !== "string" || query === null || typeof report !== "object" || report === null) return null;
  if (typeof report.filters !== "object" || report.filters === null) return null;
  return { path: v["path"], query, report: normalizeReport(report) };
}

/** Nothing to show in the range: no rows, no bar, no figure other than zero or "—". */
export function isEmptyReport(report: Report): boolean {
  const nothing = (v: number | null): boolean => v === null || v === 0;
  return (
    report.tables.every((table) => table.rows.length === 0) &&
    report.charts.every((chart) => chart.series.every((s) => s.values.every(nothing))) &&
    report.tiles.every((tile) => nothing(tile.value))
  );
}
