// What a scanned text turned out to be on this device (the twin of the server's scan resolution,
// ADR 0016, over the device's own slice). Flows switch on `kind`; orders, waybills and purchase
// orders are not stored on the phone, so they come back as recognised text for the server to check.

import type { Bilingual } from "../i18n/i18n";
import type { BarcodeRow, LocationRow, LotRow, SkuRow } from "../store/records";

/** Lot facts read from a GS1 label (AI 10, 11, 17), whether or not the lot exists yet. */
export interface LabelLot {
  readonly lotNumber: string | null;
  readonly manufacturedOn: string | null;
  readonly expiresOn: string | null;
  /** The stored lot with that number for the SKU, when there is one. */
  readonly lot: LotRow | null;
}

export type Resolved =
  | {
      readonly kind: "sku";
      readonly text: string;
      readonly sku: SkuRow;
      /** Base units one scan of this barcode counts (a case barcode counts its pack). */
      readonly packQty: number;
      readonly barcode: BarcodeRow | null;
      readonly labelLot: LabelLot | null;
    }
  | { readonly kind: "location"; readonly text: string; readonly location: LocationRow }
  | { readonly kind: "lot"; readonly text: string; readonly lot: LotRow; readonly sku: SkuRow | null }
  | { readonly kind: "tote"; readonly text: string; readonly code: string }
  | { readonly kind: "order" | "waybill" | "purchase_order"; readonly text: string }
  | { readonly kind: "ambiguous"; readonly text: string; readonly candidates: readonly Resolved[] }
  | { readonly kind: "unknown"; readonly text: string; readonly reason: Bilingual };
