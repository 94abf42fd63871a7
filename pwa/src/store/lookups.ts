// Reads the task screens make on every scan: each is ONE indexed request, so a lookup among
// 100,000 barcodes costs the same as among ten (scan-to-feedback target: p95 ≤ 50 ms).

import type { BarcodeRow, LevelRow, LocationRow, TaskLineRow } from "./records";
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
