// Put-away suggestions on the device: the server's rule (server/inbound/putaway.py) as far as the
// phone's data goes. The phone has no bin assignments (so no fixed pick face, and it cannot skip
// another SKU's pick face) and no capacities (so every bin "has room"); what it can do, it does in
// the server's order: bins already holding the SKU — the same lot first — by walking sequence, then
// empty storage bins in the zones where the SKU lives (any zone for a SKU new here). Frozen,
// inactive and non-holding bins are never suggested.

import type { Bilingual } from "../../i18n/i18n";
import { levelsAt } from "../../store/lookups";
import type { LocationRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";

export type SuggestionRule = "same_lot" | "same_sku" | "empty_bin" | "destination";

export interface Suggestion {
  readonly location: LocationRow;
  readonly rule: SuggestionRule;
  readonly reason: Bilingual;
}

/** Where stock is kept; receiving, quarantine and staging are on the way, not a home. */
const HOLDING_TYPES: ReadonlySet<string> = new Set(["storage", "pick"]);

export interface SuggestQuery {
  readonly skuId: number;
  readonly lotId: number | null;
  /** Bins never to suggest (the bin the goods come from). */
  readonly exclude?: readonly number[];
  /** Bin types ranked first among the bins holding the SKU (returns restock to pick bins). */
  readonly prefer?: readonly string[];
  readonly limit?: number;
}

function bySequence(a: LocationRow, b: LocationRow): number {
  const sa = a.walking_sequence ?? Number.MAX_SAFE_INTEGER;
  const sb = b.walking_sequence ?? Number.MAX_SAFE_INTEGER;
  return sa - sb || a.id - b.id;
}

function usable(location: LocationRow): boolean {
  return location.active && !location.frozen;
}

export async function suggestBins(db: CangkuDb, query: SuggestQuery): Promise<Suggestion[]> {
  const limit = query.limit ?? 3;
  const exclude = new Set(query.exclude ?? []);
  const prefer = query.prefer ?? [];
  const held = new Map<number, Map<number, number>>();
  for (const level of await db.getAllFromIndex("level", "by_sku", query.skuId)) {
    if (level.on_hand <= 0) continue;
    const lots = held.get(level.location_id) ?? new Map<number, number>();
    lots.set(level.lot_id ?? 0, (lots.get(level.lot_id ?? 0) ?? 0) + level.on_hand);
    held.set(level.location_id, lots);
  }
  const homes = (await Promise.all([...held.keys()].map((id) => db.get("location", id)))).filter(
    (l): l is LocationRow => l !== undefined && HOLDING_TYPES.has(l.type),
  );
  const sameLot = (l: LocationRow): boolean =>
    query.lotId !== null && (held.get(l.id)?.get(query.lotId) ?? 0) > 0;
  const rank = (l: LocationRow): number => {
    const at = prefer.indexOf(l.type);
    return at < 0 ? prefer.length : at;
  };
  const candidates = homes
    .filter((l) => usable(l) && !exclude.has(l.id))
    .sort((a, b) => rank(a) - rank(b) || Number(sameLot(b)) - Number(sameLot(a)) || bySequence(a, b));

  const out: Suggestion[] = [];
  for (const location of candidates) {
    if (out.length >= limit) return out;
    const units = [...(held.get(location.id)?.values() ?? [])].reduce((a, b) => a + b, 0);
    out.push(
      sameLot(location)
        ? {
            location,
            rule: "same_lot",
            reason: { en: "already holds this lot: keeps the lot together", zh: "已存放同批次，同批次集中存放" },
          }
        : {
            location,
            rule: "same_sku",
            reason: {
              en: `already holds ${units} of this item: keeps it in one place`,
              zh: `已存放该商品 ${units} 件，同品集中存放`,
            },
          },
    );
  }
  if (out.length >= limit) return out;

  const zones = new Set(homes.map((l) => l.zone_id).filter((z): z is number => z !== null));
  const seen = new Set(out.map((s) => s.location.id));
  const empties = (await db.getAll("location"))
    .filter(
      (l) =>
        l.type === "storage" &&
        usable(l) &&
        !exclude.has(l.id) &&
        !seen.has(l.id) &&
        (zones.size === 0 || (l.zone_id !== null && zones.has(l.zone_id))),
    )
    .sort(bySequence);
  for (const location of empties) {
    if (out.length >= limit) break;
    if ((await levelsAt(db, location.id)).some((level) => level.on_hand !== 0)) continue;
    out.push({
      location,
      rule: "empty_bin",
      reason:
        zones.size === 0
          ? { en: "empty storage bin (the item has no home here yet)", zh: "空储位（该商品在本仓尚无存放区）" }
          : { en: "empty storage bin in the item's zone", zh: "空储位，位于该商品的存放区" },
    });
  }
  return out;
}
