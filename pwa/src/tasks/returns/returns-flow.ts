// Returns receiving (退货入库): scan the parcel's waybill or order (any text: it is the op's
// free `reference`) → scan each item → quantity → condition → one `returns.return_received` per
// item (SPEC.md §7.5). The op knows two conditions: `sellable` goes to the bin given (restock: a
// bin scanned, with a suggestion that prefers pick bins), `damaged` goes to the warehouse's
// quarantine bin whatever bin is given (server/inbound/ops.py). There is no scrap condition on the
// server: scrap is recorded as damaged and held in quarantine, where QC's "failed" verdict moves it
// to @LOSS (server/inbound/qc.py).

import type { Resolved } from "../../scan/resolved";
import type { LocationRow, LotRow, SkuRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { itemRef, lotsOfSku, quarantineBin } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { suggestBins, type Suggestion } from "../common/step-putaway";
import { checkToBin } from "../common/step-tobin";
import { newOp, notice, refuse, step, type Step } from "../common/step-types";
import { returnsText } from "./messages";

export type Condition = "restock" | "damaged" | "scrap";

export interface ReturnItem {
  readonly sku: SkuRow;
  readonly lot: LotRow | null;
  readonly qty: number;
}

export interface ReturnEntry {
  readonly item: string;
  readonly qty: number;
  readonly bin: string;
  readonly condition: "sellable" | "damaged";
}

export interface ReturnsState {
  readonly step: "ref" | "item" | "qty" | "condition" | "to";
  readonly reference: string | null;
  readonly item: ReturnItem | null;
  readonly condition: Condition | null;
  readonly suggestions: readonly Suggestion[];
  readonly pendingTo: LocationRow | null;
  readonly log: readonly ReturnEntry[];
}

export function returnsStart(): ReturnsState {
  return { step: "ref", reference: null, item: null, condition: null, suggestions: [], pendingTo: null, log: [] };
}

const REFERENCE_KINDS: ReadonlySet<string> = new Set(["order", "waybill", "purchase_order", "unknown", "tote"]);

function takeReference(state: ReturnsState, resolved: Resolved): Step<ReturnsState> {
  const normalized = "normalized" in resolved ? resolved.normalized : undefined;
  const reference = (normalized ?? resolved.text).trim();
  if (reference === "") return refuse(state, returnsText.scanRef);
  if (reference.length > 128) return refuse(state, returnsText.refTooLong);
  return step(
    { ...returnsStart(), step: "item", reference },
    notice("good", returnsText.refChosen, { ref: reference }),
  );
}

async function labelledLot(db: CangkuDb, resolved: Extract<Resolved, { kind: "sku" }>): Promise<LotRow | null> {
  const label = resolved.labelLot;
  if (label === null) return null;
  if (label.lot !== null && label.lot.sku_id === resolved.sku.id) return label.lot;
  const number = label.lotNumber?.trim() ?? "";
  if (number === "") return null;
  return (await lotsOfSku(db, resolved.sku.id)).find((l) => l.lot_number === number) ?? null;
}

async function scanItem(db: CangkuDb, state: ReturnsState, resolved: Extract<Resolved, { kind: "sku" }>): Promise<Step<ReturnsState>> {
  const { sku } = resolved;
  if (sku.is_kit) return refuse(state, stepText.kit, { sku: sku.code });
  const lot = await labelledLot(db, resolved);
  const item: ReturnItem = { sku, lot, qty: resolved.packQty };
  const next: ReturnsState = { ...state, step: "qty", item };
  if (lot === null && sku.lot_controlled) {
    // Accepted: the server keeps it under a placeholder lot in quarantine for a supervisor.
    return step(next, notice("warn", returnsText.noLot, { sku: sku.code }), { feedback: "good" });
  }
  return step(next, notice("good", returnsText.itemScanned, { item: itemRef(sku, lot) }));
}

export async function returnsScan(db: CangkuDb, state: ReturnsState, resolved: Resolved): Promise<Step<ReturnsState>> {
  const item = state.item;
  switch (state.step) {
    case "ref":
      if (REFERENCE_KINDS.has(resolved.kind)) return takeReference(state, resolved);
      return refuse(state, returnsText.scanRefFirst, { scanned: resolved.text });
    case "item":
      if (resolved.kind === "sku") return scanItem(db, state, resolved);
      if (resolved.kind === "order" || resolved.kind === "waybill") return takeReference(state, resolved);
      if (resolved.kind === "unknown") return refuse(state, stepText.unknownCode, { code: resolved.text });
      if (resolved.kind === "ambiguous") return refuse(state, stepText.ambiguous, { code: resolved.text });
      return refuse(state, stepText.expectedItem, { scanned: resolved.text });
    case "qty":
      if (item !== null && resolved.kind === "sku" && resolved.sku.id === item.sku.id) {
        const total = item.qty + resolved.packQty;
        return step(
          { ...state, item: { ...item, qty: total } },
          notice("good", returnsText.qtyAdded, { qty: resolved.packQty, item: itemRef(item.sku, item.lot), total }),
        );
      }
      return refuse(state, returnsText.finishFirst, {
        item: item === null ? "" : itemRef(item.sku, item.lot),
        scanned: resolved.text,
      });
    case "condition":
      return refuse(state, returnsText.chooseConditionFirst);
    case "to":
      if (resolved.kind !== "location") return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
      return scanTo(state, resolved.location);
  }
}

export function setReturnQty(state: ReturnsState, qty: number): Step<ReturnsState> {
  if (state.step !== "qty" || state.item === null) return step(state, null);
  return step({ ...state, item: { ...state.item, qty: Math.max(1, Math.trunc(qty)) } }, null);
}

export function returnsNext(state: ReturnsState): Step<ReturnsState> {
  if (state.step !== "qty" || state.item === null) return step(state, null);
  return step({ ...state, step: "condition" }, null, { feedback: null });
}

/** The condition decides where the goods go: restock to a bin, damaged and scrap to quarantine. */
export async function chooseCondition(db: CangkuDb, state: ReturnsState, condition: Condition): Promise<Step<ReturnsState>> {
  const item = state.item;
  if (state.step !== "condition" || item === null) return step(state, null);
  const chosen: ReturnsState = { ...state, condition, pendingTo: null };
  if (condition === "restock") {
    const suggestions = await suggestBins(db, { skuId: item.sku.id, lotId: item.lot?.id ?? null, prefer: ["pick"] });
    return step({ ...chosen, step: "to", suggestions }, null, { feedback: null });
  }
  const quarantine = await quarantineBin(db);
  if (quarantine !== null) {
    const recorded = record(chosen, quarantine);
    if (condition !== "scrap") return recorded;
    return { ...recorded, notice: notice("warn", returnsText.scrapAsDamaged) };
  }
  // No quarantine bin: the server books damaged goods into the bin given (and says so).
  return step({ ...chosen, step: "to", suggestions: [] }, null, { feedback: null });
}

function record(state: ReturnsState, to: LocationRow): Step<ReturnsState> {
  const item = state.item;
  if (item === null || state.reference === null || state.condition === null) return step(state, null);
  const condition = state.condition === "restock" ? "sellable" : "damaged";
  const op = newOp("returns.return_received", {
    sku_id: item.sku.id,
    qty: item.qty,
    to_location_id: to.id,
    condition,
    reference: state.reference,
    lot_id: item.lot?.id ?? null,
  });
  const entry: ReturnEntry = { item: itemRef(item.sku, item.lot), qty: item.qty, bin: to.code, condition };
  const text = condition === "sellable" ? returnsText.received : returnsText.receivedDamaged;
  return step(
    { ...state, step: "item", item: null, condition: null, suggestions: [], pendingTo: null, log: [entry, ...state.log] },
    notice("good", text, { qty: item.qty, item: entry.item, bin: to.code }),
    { ops: [op], feedback: "done" },
  );
}

function scanTo(state: ReturnsState, location: LocationRow): Step<ReturnsState> {
  const suggested = state.suggestions[0]?.location ?? null;
  const check = checkToBin(location, { from: null, suggested, pending: state.pendingTo });
  if (check.kind === "refuse") return refuse(state, check.text, check.params);
  if (check.kind === "accept") return record(state, location);
  return step(
    { ...state, pendingTo: location },
    notice("warn", stepText.otherBin, { scanned: location.code, suggested: suggested?.code ?? "" }),
    { feedback: "bad" },
  );
}

export function confirmOtherReturnBin(state: ReturnsState): Step<ReturnsState> {
  if (state.step !== "to" || state.pendingTo === null) return step(state, null);
  return record(state, state.pendingTo);
}

/** Drops the item in hand (nothing recorded). */
export function cancelReturnItem(state: ReturnsState): Step<ReturnsState> {
  if (state.reference === null) return step(returnsStart(), null);
  return step({ ...state, step: "item", item: null, condition: null, suggestions: [], pendingTo: null }, null);
}

export function newReturn(): Step<ReturnsState> {
  return step(returnsStart(), null);
}
