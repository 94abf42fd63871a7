// What a scanned text turned out to be on this device (the twin of the server's scan resolution,
// ADR 0016, over the device's own slice). Flows switch on `kind`; orders, waybills and purchase
// orders are not stored on the phone, so they come back as recognised text for the server to check.

import type { Bilingual } from "../i18n/i18n";
import type { Gs1Data } from "../scanning/gs1";
import type { BarcodeRow, LocationRow, LotRow, SkuRow } from "../store/records";

/** Lot facts read from a GS1 label (AI 10, 11, 17), whether or not the lot exists yet. */
export interface LabelLot {
  readonly lotNumber: string | null;
  readonly manufacturedOn: string | null;
  readonly expiresOn: string | null;
  /** The stored lot with that number for the SKU, when there is one. */
  readonly lot: LotRow | null;
  /** The label's expiry (AI 17) is not the stored lot's: a relabel or a mix-up to look at. */
  readonly expiryDiffers?: boolean;
}

/** Why a scan resolved to nothing (the server's `reason`; the device has no other warehouses). */
export type UnknownWhy = "not_found" | "check_digit_wrong" | "malformed_gs1" | "sscc" | "empty" | "too_long";

export type Resolved =
  | {
      readonly kind: "sku";
      readonly text: string;
      readonly sku: SkuRow;
      /** Base units one scan of this barcode counts (a case barcode counts its pack). */
      readonly packQty: number;
      readonly barcode: BarcodeRow | null;
      readonly labelLot: LabelLot | null;
      /** The parsed element string when the scan was GS1. */
      readonly gs1?: Gs1Data;
    }
  | { readonly kind: "location"; readonly text: string; readonly location: LocationRow }
  | { readonly kind: "lot"; readonly text: string; readonly lot: LotRow; readonly sku: SkuRow | null }
  | {
      readonly kind: "tote";
      readonly text: string;
      /** Upper-cased, as printed. */
      readonly code: string;
      /** The location standing for the tote, when one has its code. */
      readonly location?: LocationRow;
    }
  | {
      readonly kind: "order" | "waybill" | "purchase_order";
      readonly text: string;
      /** The cleaned text whose shape was recognised (what the server is asked about). */
      readonly normalized?: string;
    }
  | { readonly kind: "ambiguous"; readonly text: string; readonly candidates: readonly Resolved[] }
  | {
      readonly kind: "unknown";
      readonly text: string;
      readonly reason: Bilingual;
      readonly why?: UnknownWhy;
      /** For a wrong check digit: the digit that would be right. */
      readonly expectedCheckDigit?: string;
      /** The format the text has ("ean13", "gtin14", "gs1", "sscc", "url" …). */
      readonly looksLike?: string;
      readonly gs1?: Gs1Data;
    };
