// The answer of GET /api/reports/today (server/reports/schemas.py), as the screen reads it.

export interface StatusCount {
  readonly status: string;
  readonly count: number;
}

export interface ShippedVsDue {
  readonly due: number;
  readonly due_shipped: number;
  readonly due_open: number;
  readonly shipped: number;
}

export interface UrgencyFlag {
  readonly kind: string;
  readonly reason: string;
  readonly reason_zh: string;
}

export interface UrgentOrder {
  readonly order_id: number;
  readonly order_no: string;
  readonly channel_code: string;
  readonly channel_name: string;
  readonly status: string;
  readonly deadline: string | null;
  readonly late: boolean;
  readonly flags: readonly UrgencyFlag[];
}

export interface HourPicks {
  readonly hour: number;
  readonly starts_at: string;
  readonly picks: number;
  readonly units: number;
}

export interface StockOut {
  readonly sku_id: number;
  readonly sku_code: string;
  readonly name_zh: string;
  readonly name_en: string;
  readonly available: number;
  readonly waiting_orders: number;
  readonly waiting_units: number;
}

export interface TodayReport {
  readonly warehouse_id: number | null;
  readonly timezone: string;
  readonly date: string;
  readonly day_starts_at: string;
  readonly day_ends_at: string;
  readonly generated_at: string;
  readonly orders_paid_today: number;
  readonly orders_by_status: readonly StatusCount[];
  readonly open_by_status: readonly StatusCount[];
  readonly shipped_vs_due: ShippedVsDue;
  readonly urgent: { readonly late: number; readonly urgent: number; readonly items: readonly UrgentOrder[] };
  readonly picks_per_hour: readonly HourPicks[];
  readonly stock_outs: { readonly skus: number; readonly sold_out_skus: number; readonly items: readonly StockOut[] };
}

export function todayPath(warehouseId: number | null): string {
  return warehouseId === null ? "/api/reports/today" : `/api/reports/today?warehouse_id=${warehouseId}`;
}
