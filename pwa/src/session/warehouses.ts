// The warehouses as the server lists them (GET /api/warehouses, scoped to the session), labelled in
// both languages: what login asks a person to choose from and what the push rules screen scopes by.

import type { WarehouseLabel } from "./records";

export interface WarehouseOut {
  readonly id: number;
  readonly code: string;
  readonly name_zh: string;
  readonly name_en: string;
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export const WAREHOUSES_PATH = "/api/warehouses?limit=500&active=true";

export function labelOfWarehouse(w: WarehouseOut): WarehouseLabel {
  return { id: w.id, code: w.code, name: { en: w.name_en || w.name_zh, zh: w.name_zh || w.name_en } };
}

/** A warehouse known only by its number (not listed, or the list could not be read). */
export function placeholderLabel(id: number): WarehouseLabel {
  return { id, code: String(id), name: { en: `Warehouse ${id}`, zh: `仓库 ${id}` } };
}

/** The active warehouses the session may see, in the server's order; errors are the caller's. */
export async function listWarehouseLabels(api: Api): Promise<WarehouseLabel[]> {
  const page = await api<{ items?: readonly WarehouseOut[] } | null>("GET", WAREHOUSES_PATH);
  return (page?.items ?? []).map(labelOfWarehouse);
}
