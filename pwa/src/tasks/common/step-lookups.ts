// Store reads the RF flows share: which locations can take goods, the lots of a SKU in a bin, and
// which lot a scanned item is. The device holds no bin assignments, capacities or PO data, so these
// are the parts of the server's rules that its slice of the warehouse (SPEC.md §6.3) can answer.

import { lang } from "../../i18n/i18n";
import type { LabelLot } from "../../scan/resolved";
import { levelsAt } from "../../store/lookups";
import type { LevelRow, LocationRow, LotRow, SkuRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";

/** Virtual locations exist only in the books: the server refuses them as a scanned bin. */
export const VIRTUAL_TYPES: ReadonlySet<string> = new Set(["supplier", "customer", "loss", "transit"]);

export function isPhysical(location: LocationRow): boolean {
  return !VIRTUAL_TYPES.has(location.type);
}

/** The warehouse's quarantine bin as the server picks it (first active one by id). */
export async function quarantineBin(db: CangkuDb): Promise<LocationRow | null> {
  const all = await db.getAll("location");
  const found = all.filter((l) => l.type === "quarantine" && l.active).sort((a, b) => a.id - b.id);
  return found[0] ?? null;
}

/** Receiving docks of the warehouse, by code. */
export async function receivingBins(db: CangkuDb): Promise<LocationRow[]> {
  const all = await db.getAll("location");
  return all.filter((l) => l.type === "receiving" && l.active).sort((a, b) => a.code.localeCompare(b.code));
}

export function skuName(sku: SkuRow): string {
  return lang.value === "en" ? sku.name_en || sku.name_zh : sku.name_zh || sku.name_en;
}

/** "SKU-1 (lot L7)" for notices; names are long, codes are what is on the label. */
export function itemRef(sku: SkuRow, lot: LotRow | null): string {
  return lot === null ? sku.code : `${sku.code} / ${lot.lot_number}`;
}

export function lotKey(skuId: number, lotId: number | null): string {
  return `${skuId}:${lotId ?? 0}`;
}

/** Levels of one SKU in a bin (non-zero: an emptied level is deleted on the device anyway). */
export async function skuLevelsIn(db: CangkuDb, locationId: number, skuId: number): Promise<LevelRow[]> {
  return (await levelsAt(db, locationId)).filter((l) => l.sku_id === skuId && l.on_hand !== 0);
}

export async function lotsOfSku(db: CangkuDb, skuId: number): Promise<LotRow[]> {
  const lots = await db.getAllFromIndex("lot", "by_sku", skuId);
  return lots.sort((a, b) => (a.expires_on ?? "9999").localeCompare(b.expires_on ?? "9999") || a.id - b.id);
}

async function lotRows(db: CangkuDb, ids: readonly (number | null)[]): Promise<(LotRow | null)[]> {
  const rows = await Promise.all(ids.map((id) => (id === null ? null : db.get("lot", id))));
  return rows.map((row) => row ?? null);
}

export type LotPick =
  | { readonly kind: "lot"; readonly lot: LotRow | null }
  /** Several lots could be meant: the person chooses (null = the stock without a lot). */
  | { readonly kind: "choose"; readonly choices: readonly (LotRow | null)[] }
  /** The label names a lot the device does not know, or a lot-controlled SKU has no lot at all. */
  | { readonly kind: "unknown"; readonly lotNumber: string };

/**
 * Which lot a scanned item is: the lot on its GS1 label; else, in `binId`, the only lot of the SKU
 * there; else a choice. A lot-controlled SKU always gets a lot (the server refuses counts without
 * one); another SKU falls back to "no lot".
 */
export async function lotForScan(
  db: CangkuDb,
  sku: SkuRow,
  label: LabelLot | null,
  binId: number | null,
): Promise<LotPick> {
  if (label?.lot != null && label.lot.sku_id === sku.id) return { kind: "lot", lot: label.lot };
  const labelled = label?.lotNumber?.trim() ?? "";
  const all = await lotsOfSku(db, sku.id);
  if (labelled !== "") {
    const stored = all.find((l) => l.lot_number === labelled);
    if (stored !== undefined) return { kind: "lot", lot: stored };
    if (sku.lot_controlled) return { kind: "unknown", lotNumber: labelled };
  }
  const inBin = binId === null ? [] : await skuLevelsIn(db, binId, sku.id);
  const ids = [...new Set(inBin.filter((l) => l.on_hand > 0).map((l) => l.lot_id ?? null))];
  if (!sku.lot_controlled) {
    if (ids.length <= 1) return { kind: "lot", lot: (await lotRows(db, ids))[0] ?? null };
    return { kind: "choose", choices: await lotRows(db, ids) };
  }
  const lotIds = ids.filter((id): id is number => id !== null);
  const here = (await lotRows(db, lotIds)).filter((l): l is LotRow => l !== null);
  if (here.length === 1) return { kind: "lot", lot: here[0] as LotRow };
  const choices = here.length > 1 ? here : all;
  if (choices.length === 0) return { kind: "unknown", lotNumber: labelled };
  return { kind: "choose", choices };
}
