// Minimal first version (the scan work replaces it with the full port of the server rules):
// bin label, tote label, then barcode.

import type { CangkuDb } from "../store/schema";
import { findBarcodes, findLocation } from "../store/lookups";
import type { Resolved } from "./resolved";

const TOTE = /^TOTE-\d+$/;

export async function resolveScan(db: CangkuDb, text: string): Promise<Resolved> {
  const code = text.trim();
  const location = await findLocation(db, code);
  if (location !== undefined) return { kind: "location", text, location };
  if (TOTE.test(code)) return { kind: "tote", text, code };
  const barcodes = await findBarcodes(db, code);
  const first = barcodes[0];
  if (first !== undefined) {
    const sku = await db.get("sku", first.sku_id);
    if (sku !== undefined) return { kind: "sku", text, sku, packQty: first.pack_qty, barcode: first, labelLot: null };
  }
  return { kind: "unknown", text, reason: { en: "Not a known code", zh: "未知条码" } };
}
