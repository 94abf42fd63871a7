// Reads the task screens make on every scan: each is ONE indexed request, so a lookup among
// 100,000 barcodes costs the same as among ten (scan-to-feedback target: p95 ≤ 50 ms).

import type { BarcodeRow, LevelRow, LocationRow, LotRow, TaskLineRow } from "./records";
import type { CangkuDb } from "./schema";

/** Every barcode with this exact code (normally one; two means the catalog needs a look). */
export async function findBarcodes(db: CangkuDb, code: string): Promise<BarcodeRow[]> {
  return db.getAllFromIndex("barcode", "by_code", code);
}

/** A bin by its printed label: the barcode on it, else its code. */
export async function findLocation(db: CangkuDb, scanned: string): Promise<LocationRow | undefined> {
  return (
    (await db.getFromIndex("location", "by_barcode", scanned)) ??
    (await db.getFromIndex("location", "by_code", scanned))
  );
}

export async function linesOfTask(db: CangkuDb, taskId: number): Promise<TaskLineRow[]> {
  const lines = await db.getAllFromIndex("task_line", "by_task", taskId);
  return lines.sort((a, b) => a.line_no - b.line_no);
}

export async function levelsAt(db: CangkuDb, locationId: number): Promise<LevelRow[]> {
  return db.getAllFromIndex("level", "by_location", locationId);
}

// --- scan resolution (src/scan/resolve.ts) and the lookup screen ---------------------------------

/** Bins whose printed barcode is any of `codes` (a scan as scanned and upper-cased): one indexed
 * request per form, in parallel. */
export async function findLocationsByBarcode(db: CangkuDb, codes: readonly string[]): Promise<LocationRow[]> {
  return (await Promise.all(codes.map((code) => db.getAllFromIndex("location", "by_barcode", code)))).flat();
}

/** Bins whose code is any of `codes` (the device holds one warehouse: codes are unique in it). */
export async function findLocationsByCode(db: CangkuDb, codes: readonly string[]): Promise<LocationRow[]> {
  return (await Promise.all(codes.map((code) => db.getAllFromIndex("location", "by_code", code)))).flat();
}

/** Lots printed with this number, of any SKU (lot numbers are unique per SKU only). */
export async function findLotsByNumber(db: CangkuDb, lotNumber: string): Promise<LotRow[]> {
  return db.getAllFromIndex("lot", "by_lot_number", lotNumber);
}

/** The SKU's lot with this number, if it has one. */
export async function lotOfSku(db: CangkuDb, skuId: number, lotNumber: string): Promise<LotRow | undefined> {
  return (await findLotsByNumber(db, lotNumber)).find((lot) => lot.sku_id === skuId);
}

/** Where a SKU lies in this warehouse, one row per bin and lot. */
export async function levelsOfSku(db: CangkuDb, skuId: number): Promise<LevelRow[]> {
  return db.getAllFromIndex("level", "by_sku", skuId);
}

/** Where a lot lies in this warehouse. */
export async function levelsOfLot(db: CangkuDb, lotId: number): Promise<LevelRow[]> {
  return db.getAllFromIndex("level", "by_lot", lotId);
}
