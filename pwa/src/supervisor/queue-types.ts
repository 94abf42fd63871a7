// The answer of GET /api/supervision/exceptions (server/supervision/schemas.py).

import type { Bilingual } from "../i18n/i18n";

export type ItemKind = "count_variance" | "held_op" | "rejected_op" | "exception" | "shortage" | "negative_bin";

export const KINDS: readonly ItemKind[] = [
  "count_variance",
  "held_op",
  "shortage",
  "negative_bin",
  "exception",
  "rejected_op",
];

export interface QueueAction {
  readonly name: string;
  readonly label: Bilingual;
  readonly method: string;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>> | null;
  /** The body field the person's note goes in; null when the action takes none. */
  readonly note_field: string | null;
  readonly note_required: boolean;
  readonly danger: boolean;
}

export interface QueueRefs {
  readonly task_id?: number;
  readonly location_id?: number;
  readonly location_code?: string;
  readonly sku_id?: number;
  readonly sku_code?: string;
  readonly lot_number?: string;
  readonly order_id?: number;
  readonly order_no?: string;
  readonly reference?: string;
  readonly op_id?: string;
  readonly op_name?: string;
  readonly count_variance_id?: number;
  readonly exception_id?: number;
  readonly qty?: number;
}

export interface QueueItem {
  readonly id: string;
  readonly kind: ItemKind;
  readonly title: Bilingual;
  readonly detail: Bilingual;
  readonly at: string;
  readonly warehouse_id: number | null;
  readonly user_id: number | null;
  readonly username: string | null;
  readonly device_id: string | null;
  readonly device_name: string | null;
  readonly refs: QueueRefs;
  readonly actions: readonly QueueAction[];
}

export interface Queue {
  readonly items: readonly QueueItem[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly generated_at: string;
}

export const QUEUE_LIMIT = 200;

export function queuePath(warehouseId: number | null): string {
  const query = `limit=${QUEUE_LIMIT}` + (warehouseId === null ? "" : `&warehouse_id=${warehouseId}`);
  return `/api/supervision/exceptions?${query}`;
}
