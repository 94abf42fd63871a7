// The answer of GET /api/reports/{report} (server/reports/envelope.py), as the screens read it:
// tiles, charts and tables with labels in both languages, so one page draws every report.

/** How a number reads; money is integer fen (¥1 = 100 fen), never a float. */
export type Unit =
  | "fen"
  | "count"
  | "qty"
  | "percent"
  | "hours"
  | "minutes"
  | "days"
  | "per_hour"
  | "text"
  | "date"
  | "datetime";

export type Cell = number | string | null;

export interface Labelled {
  readonly key: string;
  readonly label_en: string;
  readonly label_zh: string;
}

export interface Tile extends Labelled {
  /** null: nothing to measure in the range (no order shipped, say), not zero. */
  readonly value: number | null;
  readonly unit: Unit;
}

export interface Series extends Labelled {
  /** One value per label of the chart's `x`. */
  readonly values: readonly (number | null)[];
}

export interface Chart extends Labelled {
  /** "bar" is stacked when there are several series. */
  readonly kind: "bar" | "line";
  readonly unit: Unit;
  /** ISO dates for a chart by day, otherwise names as they are. */
  readonly x: readonly string[];
  readonly series: readonly Series[];
}

export interface Column extends Labelled {
  readonly unit: Unit;
}

export interface Table extends Labelled {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Cell[])[];
  /** More rows matched than listed; the CSV export has them all. */
  readonly truncated: boolean;
}

export interface ReportFilters {
  /** Inclusive local days (YYYY-MM-DD) of `timezone`. */
  readonly date_from: string;
  readonly date_to: string;
  readonly timezone: string;
  readonly warehouse_id: number | null;
  readonly platform: string | null;
  readonly channel_id: number | null;
}

export interface FilterOption {
  readonly value: string;
  readonly label_en: string;
  readonly label_zh: string;
}

export interface FilterOptions {
  readonly warehouses: readonly FilterOption[];
  readonly platforms: readonly FilterOption[];
  readonly channels: readonly FilterOption[];
}

export interface Report {
  readonly report: string;
  readonly title_en: string;
  readonly title_zh: string;
  readonly filters: ReportFilters;
  readonly generated_at: string;
  readonly tiles: readonly Tile[];
  readonly charts: readonly Chart[];
  readonly tables: readonly Table[];
  readonly options: FilterOptions | null;
}

export const REPORT_NAMES = ["sales", "fulfilment", "productivity", "stock", "counts"] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export function isReportName(name: string | undefined): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name ?? "");
}
