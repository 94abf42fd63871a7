// Receiving (收货): dock (chosen once) → purchase order → item → quantity → lot and expiry →
// quality check → one `inbound.item_received` (SPEC.md §7.5). The op has no QC field: the
// destination says it. Passed goods go to the receiving dock; goods held for inspection go to the
// quarantine bin, which the server's stock states count as pending inspection (not sellable) until
// QC releases them (server/inbound/qc.py). The phone holds no purchase orders: online it loads the
// PO's lines from the API to warn early; offline it receives without them, and without a
// `purchase_order_id` (it cannot learn the id), so such receipts are not counted against the PO.

import { ApiError } from "../../app/api";
import type { Resolved } from "../../scan/resolved";
import type { LocationRow, SkuRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { NetworkError } from "../../sync/transport";
import { isPhysical, quarantineBin, receivingBins } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { newOp, notice, refuse, step, type Step } from "../common/step-types";
import { receiveText } from "./messages";

export interface PoLine {
  readonly sku_id: number;
  readonly sku_code: string;
  readonly qty_ordered: number;
  readonly qty_received: number;
  readonly qty_outstanding: number;
  /** The most that may be received before the excess goes to quarantine (ordered plus tolerance). */
  readonly qty_allowed: number;
}

export interface PoInfo {
  readonly id: number;
  readonly code: string;
  readonly status: string;
  readonly lines: readonly PoLine[];
}

/** PO statuses that expect goods (server/inbound/models.py RECEIVING_STATUSES). */
const RECEIVING_STATUSES: readonly string[] = ["open", "partially_received"];

/** Finds a PO by its number: null when there is none; throws NetworkError when offline. */
export type PoLoader = (code: string) => Promise<PoInfo | null>;

export interface ReceiveContext {
  readonly db: CangkuDb;
  readonly loadPo: PoLoader;
}

export interface ReceiveItem {
  readonly sku: SkuRow;
  readonly packQty: number;
  readonly qty: number;
  readonly lotNumber: string;
  readonly manufacturedOn: string;
  readonly expiresOn: string;
}

export interface ReceivedEntry {
  readonly sku: string;
  readonly qty: number;
  readonly bin: string;
}

export interface ReceiveState {
  readonly step: "dock" | "po" | "item" | "qty" | "lot" | "qc";
  readonly dock: LocationRow | null;
  /** null: receiving without a purchase order. `info` null: the PO could not be loaded (offline). */
  readonly po: { readonly code: string; readonly info: PoInfo | null } | null;
  readonly item: ReceiveItem | null;
  /** Units received here per SKU against this PO, for the over-receipt warning. */
  readonly receivedHere: Readonly<Record<string, number>>;
  readonly log: readonly ReceivedEntry[];
}

const EMPTY: ReceiveState = { step: "dock", dock: null, po: null, item: null, receivedHere: {}, log: [] };

/** Before the start step has read the store. */
export function receiveInitial(): ReceiveState {
  return EMPTY;
}

/** Docks a receipt may go to: the receiving bins, or any bin when the warehouse has none. */
async function isDock(db: CangkuDb, location: LocationRow): Promise<boolean> {
  if (!isPhysical(location) || !location.active) return false;
  if (location.type === "receiving") return true;
  return (await receivingBins(db)).length === 0;
}

/** The first state: the dock remembered on this phone, the only dock there is, or a choice. */
export async function receiveStart(db: CangkuDb, savedDockId: number | null): Promise<Step<ReceiveState>> {
  const docks = await receivingBins(db);
  const saved = docks.find((d) => d.id === savedDockId) ?? (docks.length === 1 ? docks[0] : undefined);
  if (saved !== undefined) {
    return step({ ...EMPTY, step: "po", dock: saved }, notice("info", receiveText.dockChosen, { bin: saved.code }), {
      feedback: null,
    });
  }
  return step(EMPTY, docks.length === 0 ? notice("info", receiveText.noDock) : null, { feedback: null });
}

export async function chooseDock(db: CangkuDb, state: ReceiveState, location: LocationRow): Promise<Step<ReceiveState>> {
  if (!(await isDock(db, location))) return refuse(state, receiveText.notADock, { code: location.code });
  const next: ReceiveState = { ...state, dock: location, step: state.step === "dock" ? "po" : state.step };
  return step(next, notice("good", receiveText.dockChosen, { bin: location.code }));
}

export function changeDock(state: ReceiveState): Step<ReceiveState> {
  return step({ ...state, step: "dock", item: null }, null);
}

export function changePo(state: ReceiveState): Step<ReceiveState> {
  if (state.dock === null) return step(state, null);
  return step({ ...state, step: "po", item: null }, null);
}

export function withoutPo(state: ReceiveState): Step<ReceiveState> {
  if (state.step !== "po") return step(state, null);
  return step({ ...state, step: "item", po: null, receivedHere: {} }, notice("info", receiveText.noPoChosen), {
    feedback: "good",
  });
}

async function openPo(ctx: ReceiveContext, state: ReceiveState, code: string): Promise<Step<ReceiveState>> {
  let info: PoInfo | null;
  try {
    info = await ctx.loadPo(code);
  } catch (error: unknown) {
    if (error instanceof NetworkError) {
      return step(
        { ...state, step: "item", item: null, po: { code, info: null }, receivedHere: {} },
        notice("warn", receiveText.poOffline, { code }),
        { feedback: "good" },
      );
    }
    if (error instanceof ApiError) return refuse(state, error.text);
    throw error;
  }
  if (info === null) return refuse(state, receiveText.poNotFound, { code });
  if (!RECEIVING_STATUSES.includes(info.status)) {
    // A fact still: the goods are here. The server books them and opens a `po_not_open` exception.
    return step(
      { ...state, step: "item", item: null, po: { code: info.code, info }, receivedHere: {} },
      notice("warn", receiveText.poNotOpen, { code: info.code, status: info.status }),
      { feedback: "bad" },
    );
  }
  return step(
    { ...state, step: "item", item: null, po: { code: info.code, info }, receivedHere: {} },
    notice("good", receiveText.poLoaded, { code: info.code, lines: info.lines.length }),
  );
}

function poLine(state: ReceiveState, skuId: number): PoLine | undefined {
  return state.po?.info?.lines.find((l) => l.sku_id === skuId);
}

function startItem(state: ReceiveState, resolved: Extract<Resolved, { kind: "sku" }>): Step<ReceiveState> {
  const { sku, labelLot } = resolved;
  if (sku.is_kit) return refuse(state, stepText.kit, { sku: sku.code });
  const item: ReceiveItem = {
    sku,
    packQty: resolved.packQty,
    qty: resolved.packQty,
    lotNumber: labelLot?.lotNumber ?? labelLot?.lot?.lot_number ?? "",
    manufacturedOn: labelLot?.manufacturedOn ?? labelLot?.lot?.manufactured_on ?? "",
    expiresOn: labelLot?.expiresOn ?? labelLot?.lot?.expires_on ?? "",
  };
  const next: ReceiveState = { ...state, step: "qty", item };
  const info = state.po?.info ?? null;
  if (info === null) return step(next, notice("good", receiveText.itemScanned, { sku: sku.code }));
  const line = poLine(state, sku.id);
  if (line === undefined) {
    return step(next, notice("warn", receiveText.notOnPo, { sku: sku.code, code: info.code }), { feedback: "bad" });
  }
  const outstanding = Math.max(0, line.qty_outstanding - (state.receivedHere[String(sku.id)] ?? 0));
  return step(next, notice("info", receiveText.outstanding, { sku: sku.code, outstanding, ordered: line.qty_ordered }), {
    feedback: "good",
  });
}

function fillFromLabel(state: ReceiveState, item: ReceiveItem, resolved: Resolved): Step<ReceiveState> {
  let filled: ReceiveItem = item;
  if (resolved.kind === "sku" && resolved.labelLot !== null) {
    const label = resolved.labelLot;
    filled = {
      ...item,
      lotNumber: label.lotNumber ?? item.lotNumber,
      manufacturedOn: label.manufacturedOn ?? item.manufacturedOn,
      expiresOn: label.expiresOn ?? item.expiresOn,
    };
  } else if (resolved.kind === "lot") {
    filled = {
      ...item,
      lotNumber: resolved.lot.lot_number,
      manufacturedOn: resolved.lot.manufactured_on ?? item.manufacturedOn,
      expiresOn: resolved.lot.expires_on ?? item.expiresOn,
    };
  } else {
    return refuse(state, receiveText.enterLot, { sku: item.sku.code });
  }
  return step({ ...state, item: filled }, notice("good", receiveText.lotFilled, { lot: filled.lotNumber }));
}

export async function receiveScan(ctx: ReceiveContext, state: ReceiveState, resolved: Resolved): Promise<Step<ReceiveState>> {
  const item = state.item;
  switch (state.step) {
    case "dock":
      if (resolved.kind !== "location") return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
      return chooseDock(ctx.db, state, resolved.location);
    case "po":
      if (resolved.kind === "sku" || resolved.kind === "location" || resolved.kind === "lot") {
        return refuse(state, receiveText.scanPoFirst);
      }
      return openPo(ctx, state, poCode(resolved));
    case "item":
      if (resolved.kind === "sku") return startItem(state, resolved);
      if (resolved.kind === "purchase_order") return openPo(ctx, state, poCode(resolved));
      if (resolved.kind === "unknown") return refuse(state, stepText.unknownCode, { code: resolved.text });
      if (resolved.kind === "ambiguous") return refuse(state, stepText.ambiguous, { code: resolved.text });
      return refuse(state, stepText.expectedItem, { scanned: resolved.text });
    case "qty":
      if (item === null) return refuse(state, stepText.expectedItem, { scanned: resolved.text });
      if (resolved.kind === "sku" && resolved.sku.id === item.sku.id) {
        const total = item.qty + resolved.packQty;
        return step(
          { ...state, item: { ...item, qty: total } },
          notice("good", receiveText.qtyAdded, { qty: resolved.packQty, sku: item.sku.code, total }),
        );
      }
      return refuse(state, receiveText.finishFirst, { sku: item.sku.code, scanned: resolved.text });
    case "lot":
      if (item === null) return refuse(state, stepText.expectedItem, { scanned: resolved.text });
      if ((resolved.kind === "sku" && resolved.sku.id === item.sku.id) || (resolved.kind === "lot" && resolved.lot.sku_id === item.sku.id)) {
        return fillFromLabel(state, item, resolved);
      }
      return refuse(state, receiveText.finishFirst, { sku: item.sku.code, scanned: resolved.text });
    case "qc":
      return refuse(state, receiveText.chooseQcFirst);
  }
}

function poCode(resolved: Resolved): string {
  const normalized = resolved.kind === "purchase_order" ? resolved.normalized : undefined;
  return (normalized ?? resolved.text).trim();
}

export function setReceiveQty(state: ReceiveState, qty: number): Step<ReceiveState> {
  if (state.item === null || state.step !== "qty") return step(state, null);
  return step({ ...state, item: { ...state.item, qty: Math.max(1, Math.trunc(qty)) } }, null);
}

export function setLotFields(
  state: ReceiveState,
  fields: Partial<Pick<ReceiveItem, "lotNumber" | "manufacturedOn" | "expiresOn">>,
): Step<ReceiveState> {
  if (state.item === null || state.step !== "lot") return step(state, null);
  return step({ ...state, item: { ...state.item, ...fields } }, null);
}

export function needsLot(sku: SkuRow): boolean {
  return sku.lot_controlled || sku.expiry_controlled;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

/** Why the lot fields cannot be recorded as they are, or null. */
function lotProblem(item: ReceiveItem): Step<ReceiveState>["notice"] {
  const lot = item.lotNumber.trim();
  const sku = item.sku.code;
  if (item.sku.lot_controlled && lot === "") return notice("bad", receiveText.lotRequired, { sku });
  // The server keeps an expiry only on a lot: without a lot number the date would be dropped.
  if (item.sku.expiry_controlled && lot === "") return notice("bad", receiveText.lotForExpiry, { sku });
  if (lot.length > 64 || lot.startsWith("@")) return notice("bad", receiveText.badLot);
  if (item.sku.expiry_controlled && item.expiresOn.trim() === "") return notice("bad", receiveText.expiryRequired, { sku });
  for (const date of [item.manufacturedOn, item.expiresOn]) {
    if (date.trim() !== "" && !validDate(date.trim())) return notice("bad", receiveText.badDate);
  }
  if (item.manufacturedOn !== "" && item.expiresOn !== "" && item.manufacturedOn > item.expiresOn) {
    return notice("bad", receiveText.datesOutOfOrder);
  }
  return null;
}

/** Quantity → lot (when the SKU needs one) → QC. */
export function receiveNext(state: ReceiveState): Step<ReceiveState> {
  const item = state.item;
  if (item === null) return step(state, null);
  if (state.step === "qty") {
    if (needsLot(item.sku)) {
      return step({ ...state, step: "lot" }, notice("info", receiveText.enterLot, { sku: item.sku.code }), {
        feedback: null,
      });
    }
    return toQc(state, item);
  }
  if (state.step === "lot") {
    const problem = lotProblem(item);
    if (problem !== null) return step(state, problem, { feedback: "bad" });
    return toQc(state, item);
  }
  return step(state, null);
}

function toQc(state: ReceiveState, item: ReceiveItem): Step<ReceiveState> {
  const line = poLine(state, item.sku.id);
  const next: ReceiveState = { ...state, step: "qc" };
  if (line !== undefined) {
    const before = line.qty_received + (state.receivedHere[String(item.sku.id)] ?? 0);
    const over = Math.min(item.qty, Math.max(0, before + item.qty - Math.max(line.qty_allowed, before)));
    if (over > 0) return step(next, notice("warn", receiveText.overAllowance, { over }), { feedback: "bad" });
  }
  return step(next, null, { feedback: null });
}

export function cancelItem(state: ReceiveState): Step<ReceiveState> {
  if (state.dock === null) return step(state, null);
  return step({ ...state, step: "item", item: null }, null);
}

/** The QC verdict records the receipt: passed to the dock, held to the quarantine bin. */
export async function decideQc(db: CangkuDb, state: ReceiveState, verdict: "pass" | "hold"): Promise<Step<ReceiveState>> {
  const item = state.item;
  if (state.step !== "qc" || item === null || state.dock === null) return step(state, null);
  const to = verdict === "pass" ? state.dock : await quarantineBin(db);
  if (to === null) return refuse(state, receiveText.noQuarantine);
  const lot = item.lotNumber.trim();
  const op = newOp("inbound.item_received", {
    sku_id: item.sku.id,
    qty: item.qty,
    to_location_id: to.id,
    purchase_order_id: state.po?.info?.id ?? null,
    lot_number: lot === "" ? null : lot,
    manufactured_on: item.manufacturedOn.trim() === "" ? null : item.manufacturedOn.trim(),
    expires_on: item.expiresOn.trim() === "" ? null : item.expiresOn.trim(),
  });
  const key = String(item.sku.id);
  const next: ReceiveState = {
    ...state,
    step: "item",
    item: null,
    receivedHere: { ...state.receivedHere, [key]: (state.receivedHere[key] ?? 0) + item.qty },
    log: [{ sku: item.sku.code, qty: item.qty, bin: to.code }, ...state.log].slice(0, 20),
  };
  const text = verdict === "pass" ? receiveText.received : receiveText.receivedHeld;
  return step(next, notice("good", text, { qty: item.qty, sku: item.sku.code, bin: to.code }), {
    ops: [op],
    feedback: "done",
  });
}
