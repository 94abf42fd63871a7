// The server keys platforms ("pdd", "tmall") in tables and charts and names them once, in
// `options.platforms`; a manager reads 拼多多, not "pdd". Named here, before drawing, so tables and
// charts show the same words as the platform filter. The CSV keeps the key (a spreadsheet joins on it).

import type { Lang } from "../i18n/i18n";
import { labelOf } from "./labels";
import type { Chart, Report, Table } from "./report-types";

const PLATFORM_COLUMN = "platform";

function nameTable(table: Table, name: (key: string) => string): Table {
  const at = table.columns.findIndex((column) => column.key === PLATFORM_COLUMN);
  if (at < 0) return table;
  const rows = table.rows.map((row) => row.map((cell, c) => (c === at && typeof cell === "string" ? name(cell) : cell)));
  return { ...table, rows };
}

/** A chart by platform has only platform keys along x; a chart by day or by shop is left alone. */
function nameChart(chart: Chart, known: ReadonlyMap<string, string>): Chart {
  if (chart.x.length === 0 || !chart.x.every((x) => known.has(x))) return chart;
  return { ...chart, x: chart.x.map((x) => known.get(x) ?? x) };
}

export function withPlatformNames(report: Report, language: Lang): Report {
  const platforms = report.options?.platforms ?? [];
  if (platforms.length === 0) return report;
  const known = new Map(platforms.map((option) => [option.value, labelOf(option, language)] as const));
  const name = (key: string): string => known.get(key) ?? key;
  return {
    ...report,
    charts: report.charts.map((chart) => nameChart(chart, known)),
    tables: report.tables.map((table) => nameTable(table, name)),
  };
}
