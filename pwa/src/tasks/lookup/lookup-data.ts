// What the lookup screen shows for a resolved scan, read from the device store: a SKU with every
// bin holding it, a bin with its contents, a lot with its expiry and where it lies. Quantities are
// the synced levels: on hand, reserved (promised to picks) and available = on hand − reserved.

import type { Resolved, LabelLot } from "../../scan/resolved";
import { levelsAt, levelsOfLot, levelsOfSku } from "../../store/lookups";
import type { LevelRow, LocationRow, LotRow, SkuRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";

/** One level row with what it needs for display. */
export interface Place {
  readonly key: string;
  readonly location: LocationRow | null;
  readonly locationId: number;
  readonly sku: SkuRow | null;
  readonly skuId: number;
  readonly lot: LotRow | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

export interface Totals {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

export type LookupView =
  | {
      readonly kind: "sku";
      readonly sku: SkuRow;
      readonly packQty: number;
      readonly barcode: string | null;
      readonly labelLot: LabelLot | null;
      readonly places: readonly Place[];
      readonly totals: Totals;
    }
  | { readonly kind: "location"; readonly location: LocationRow; readonly places: readonly Place[]; readonly totals: Totals }
  | {
      readonly kind: "lot";
      readonly lot: LotRow;
      readonly sku: SkuRow | null;
      readonly places: readonly Place[];
      readonly totals: Totals;
    }
  | {
      /** Kinds only the server can tell about (orders, waybills, POs, totes). */
      readonly kind: "remote";
      readonly what: "tote" | "order" | "waybill" | "purchase_order";
      readonly code: string;
      /** For a tote standing on a location: what is in it, from the device. */
      readonly location: LocationRow | null;
      readonly places: readonly Place[];
    }
  | { readonly kind: "ambiguous"; readonly candidates: readonly Resolved[] }
  | { readonly kind: "unknown"; readonly resolved: Resolved & { kind: "unknown" } };

function totalsOf(places: readonly Place[]): Totals {
  let onHand = 0;
  let reserved = 0;
  for (const place of places) {
    onHand += place.onHand;
    reserved += place.reserved;
  }
  return { onHand, reserved, available: onHand - reserved };
}

/** Levels with their bins, SKUs and lots, in walking order (then by bin code). */
export async function placesOf(db: CangkuDb, levels: readonly LevelRow[]): Promise<Place[]> {
  const tx = db.transaction(["location", "sku", "lot"]);
  const places = await Promise.all(
    levels.map(async (level): Promise<Place> => {
      const [location, sku, lot] = await Promise.all([
        tx.objectStore("location").get(level.location_id),
        tx.objectStore("sku").get(level.sku_id),
        level.lot_id === null ? undefined : tx.objectStore("lot").get(level.lot_id),
      ]);
      return {
        key: level.key,
        location: location ?? null,
        locationId: level.location_id,
        sku: sku ?? null,
        skuId: level.sku_id,
        lot: lot ?? null,
        onHand: level.on_hand,
        reserved: level.reserved,
        available: level.on_hand - level.reserved,
      };
    }),
  );
  const walk = (p: Place): number => p.location?.walking_sequence ?? Number.MAX_SAFE_INTEGER;
  return places.sort(
    (a, b) =>
      walk(a) - walk(b) ||
      (a.location?.code ?? "").localeCompare(b.location?.code ?? "") ||
      (a.sku?.code ?? "").localeCompare(b.sku?.code ?? "") ||
      (a.lot?.lot_number ?? "").localeCompare(b.lot?.lot_number ?? ""),
  );
}

/** The view of one resolved scan. */
export async function lookupView(db: CangkuDb, resolved: Resolved): Promise<LookupView> {
  switch (resolved.kind) {
    case "sku": {
      const places = await placesOf(db, await levelsOfSku(db, resolved.sku.id));
      return {
        kind: "sku",
        sku: resolved.sku,
        packQty: resolved.packQty,
        barcode: resolved.barcode?.code ?? null,
        labelLot: resolved.labelLot,
        places,
        totals: totalsOf(places),
      };
    }
    case "location": {
      const places = await placesOf(db, await levelsAt(db, resolved.location.id));
      return { kind: "location", location: resolved.location, places, totals: totalsOf(places) };
    }
    case "lot": {
      const places = await placesOf(db, await levelsOfLot(db, resolved.lot.id));
      return { kind: "lot", lot: resolved.lot, sku: resolved.sku, places, totals: totalsOf(places) };
    }
    case "tote": {
      const location = resolved.location ?? null;
      const places = location === null ? [] : await placesOf(db, await levelsAt(db, location.id));
      return { kind: "remote", what: "tote", code: resolved.code, location, places };
    }
    case "order":
    case "waybill":
    case "purchase_order":
      return { kind: "remote", what: resolved.kind, code: resolved.normalized ?? resolved.text, location: null, places: [] };
    case "ambiguous":
      return { kind: "ambiguous", candidates: resolved.candidates };
    case "unknown":
      return { kind: "unknown", resolved };
  }
}
