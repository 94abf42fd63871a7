// A small warehouse to scan in, the device-side twin of tests/integration/scanning/resolve_support.py:
// bins, a tote location, SKUs with every barcode form (UPC-A, its case ITF-14, an internal inner
// pack, UPC-E), a lot-controlled SKU with a lot, and stock levels. Test support only.

import type { BarcodeRow, LevelRow, LocationRow, LotRow, SkuRow } from "../store/records";
import type { CangkuDb } from "../store/schema";
import { freshDb } from "../store/test-support";

export const MILK_EXPIRY = "2027-06-30";
/** GS1 two-digit years are read around this date (the vectors' reference year). */
export const TODAY = new Date("2026-12-01T00:00:00Z");

function sku(id: number, code: string, zh: string, en: string, lot = false): SkuRow {
  return {
    id,
    code,
    name_zh: zh,
    name_en: en,
    unit: "pcs",
    lot_controlled: lot,
    expiry_controlled: lot,
    is_kit: false,
    active: true,
  };
}

function bin(id: number, code: string, barcode: string | null, type = "storage"): LocationRow {
  return { id, code, barcode, type, zone_id: 1, walking_sequence: id, frozen: false, active: true };
}

function level(location: number, skuId: number, lot: number | null, onHand: number, reserved = 0): LevelRow {
  return {
    key: `${location}:${skuId}:${lot ?? 0}`,
    location_id: location,
    sku_id: skuId,
    lot_id: lot,
    on_hand: onHand,
    reserved,
  };
}

export const W = {
  cola: 1,
  gum: 2,
  milk: 3,
  colaUnitBarcode: 11,
  colaCaseBarcode: 12,
  colaInnerBarcode: 13,
  gumBarcode: 14,
  milkBarcode: 15,
  bin: 101,
  bin2: 102,
  toteBin: 103,
  customer: 104,
  milkLot: 201,
} as const;

export const SKUS: readonly SkuRow[] = [
  sku(W.cola, "COLA-330", "可乐 330ml", "Cola 330 ml"),
  sku(W.gum, "GUM-5", "口香糖 5 片", "Chewing gum, 5 sticks"),
  sku(W.milk, "MILK-1L", "纯牛奶 1L", "Whole milk 1 L", true),
];

export const BARCODES: readonly BarcodeRow[] = [
  { id: W.colaUnitBarcode, code: "00036000291452", sku_id: W.cola, pack_qty: 1, kind: "gtin" }, // UPC-A 036000291452
  { id: W.colaCaseBarcode, code: "10036000291459", sku_id: W.cola, pack_qty: 24, kind: "gtin" }, // the carton's ITF-14
  { id: W.colaInnerBarcode, code: "INNER-6", sku_id: W.cola, pack_qty: 6, kind: "internal" },
  { id: W.gumBarcode, code: "00042100005264", sku_id: W.gum, pack_qty: 1, kind: "gtin" }, // UPC-E 04252614
  { id: W.milkBarcode, code: "06901234567892", sku_id: W.milk, pack_qty: 1, kind: "gtin" },
];

export const LOTS: readonly LotRow[] = [
  { id: W.milkLot, sku_id: W.milk, lot_number: "L2406A", manufactured_on: "2026-06-30", expires_on: MILK_EXPIRY },
];

export const LOCATIONS: readonly LocationRow[] = [
  bin(W.bin, "A-01-03", "HZ-A-01-03"),
  bin(W.bin2, "B-02-01", "HZ-B-02-01"),
  bin(W.toteBin, "TOTE-0042", "HZ-TOTE-0042", "staging"),
  bin(W.customer, "CUSTOMER", "CUSTOMER", "customer"), // virtual: never a scan target
];

export const LEVELS: readonly LevelRow[] = [
  level(W.bin, W.cola, null, 48, 6),
  level(W.bin2, W.cola, null, 12),
  level(W.bin2, W.milk, W.milkLot, 20, 2),
  level(W.bin, W.gum, null, 5),
];

export async function seedWorld(db: CangkuDb): Promise<void> {
  const tx = db.transaction(["sku", "barcode", "lot", "location", "level"], "readwrite");
  for (const row of SKUS) await tx.objectStore("sku").put(row);
  for (const row of BARCODES) await tx.objectStore("barcode").put(row);
  for (const row of LOTS) await tx.objectStore("lot").put(row);
  for (const row of LOCATIONS) await tx.objectStore("location").put(row);
  for (const row of LEVELS) await tx.objectStore("level").put(row);
  await tx.done;
}

export async function worldDb(): Promise<CangkuDb> {
  const db = await freshDb();
  await seedWorld(db);
  return db;
}
