// Asking the server what a scan is (POST /api/scan/resolve, server/scanning/resolve_controller.py)
// for what the phone does not hold: orders, waybills, purchase orders, totes — and, as a second
// opinion, codes the device's slice does not know (another warehouse's, a 12-digit order number
// that fails a GTIN check digit, near misses). Only the fields the screen shows are typed.

import type { AppServices } from "../../app/services";
import { ApiError } from "../../app/api";
import type { Bilingual } from "../../i18n/i18n";
import { NetworkError } from "../../sync/transport";

export interface ServerMatch {
  readonly kind: "sku" | "bin" | "lot" | "tote" | "order" | "waybill" | "purchase_order";
  readonly [field: string]: unknown;
}

export interface ServerSuggestion {
  readonly kind: string;
  readonly id: number;
  readonly code: string;
  readonly label: string;
  readonly why: string;
}

export interface ServerResolution {
  readonly kind: ServerMatch["kind"] | "ambiguous" | "unknown";
  readonly text: string;
  readonly normalized: string;
  readonly match?: ServerMatch | null;
  readonly candidates?: readonly ServerMatch[];
  readonly reason?: string | null;
  readonly message?: string;
  readonly message_zh?: string;
  readonly suggestions?: readonly ServerSuggestion[];
}

export type ServerAnswer =
  | { readonly state: "answer"; readonly resolution: ServerResolution }
  | { readonly state: "offline" }
  | { readonly state: "failed"; readonly text: Bilingual };

export async function askServer(
  services: Pick<AppServices, "api">,
  text: string,
  warehouseId: number | null,
): Promise<ServerAnswer> {
  try {
    const body = warehouseId === null ? { text } : { text, warehouse_id: warehouseId };
    const resolution = await services.api<ServerResolution>("POST", "/api/scan/resolve", body);
    return { state: "answer", resolution };
  } catch (error: unknown) {
    if (error instanceof NetworkError) return { state: "offline" };
    if (error instanceof ApiError) return { state: "failed", text: error.text };
    return { state: "failed", text: { en: String(error), zh: String(error) } };
  }
}

/** A field of a match as text ("" when absent). */
export function field(match: ServerMatch, name: string): string {
  const value = match[name];
  return value === null || value === undefined ? "" : String(value);
}
