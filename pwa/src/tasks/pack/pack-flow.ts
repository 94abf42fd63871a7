// The pack check (复核) as a pure state machine: scan the order or tote, scan every item into the
// parcel, confirm. When the phone knows what was picked for the parcel, an item that does not
// belong or one too many stops the parcel (red line, bad beep) until it is taken out again; the
// parcel can be confirmed only when it matches. Without that knowledge the list is blind and the
// server does the comparison. Confirming records `packing.parcel_verified`.

import type { Bilingual } from "../../i18n/i18n";
import type { Resolved } from "../../scan/resolved";
import type { SkuRow } from "../../store/records";
import type { NewOp } from "../../sync/client";
import type { FeedbackKind } from "../../ui/feedback";
import { notice, skuLabel, type FlowNotice, type NoticeParams } from "../common/notice";
import { candidatesOf, pickKind } from "../common/scan-pick";
import { m } from "./messages";
import { VERIFIED, type ParcelContext } from "./pack-data";

export interface PackState {
  readonly step: "reference" | "loading" | "items";
  readonly reference: string | null;
  readonly taskId: number | null;
  /** SKU → units expected; null: blind. */
  readonly expected: ReadonlyMap<number, number> | null;
  /** SKU → units scanned, in the order first scanned. */
  readonly scanned: ReadonlyMap<number, number>;
  readonly skus: ReadonlyMap<number, SkuRow | null>;
  readonly notice: FlowNotice | null;
}

export type PackEvent =
  | { readonly type: "scan"; readonly resolved: Resolved }
  /** The screen looked the parcel up (after a scan asked it to). */
  | { readonly type: "opened"; readonly context: ParcelContext }
  | { readonly type: "remove"; readonly skuId: number }
  | { readonly type: "confirm" }
  | { readonly type: "cancel" };

export interface PackOutcome {
  readonly state: PackState;
  readonly ops: readonly NewOp[];
  readonly feedback: FeedbackKind | null;
  /** Look this parcel up and send `opened` with what is known of it. */
  readonly lookup?: { readonly reference: string; readonly tote: boolean };
}

export type RowStatus = "ok" | "missing" | "over" | "unexpected" | "blind";

export interface PackRow {
  readonly skuId: number;
  readonly label: Bilingual;
  readonly expected: number | null;
  readonly scanned: number;
  readonly status: RowStatus;
}

export function startPack(): PackState {
  return {
    step: "reference",
    reference: null,
    taskId: null,
    expected: null,
    scanned: new Map(),
    skus: new Map(),
    notice: null,
  };
}

function label(state: PackState, skuId: number): Bilingual {
  return skuLabel(state.skus.get(skuId), skuId);
}

function statusOf(expected: number | null | undefined, scanned: number, blind: boolean): RowStatus {
  if (blind) return "blind";
  if (expected === undefined || expected === null || expected === 0) return "unexpected";
  if (scanned > expected) return "over";
  return scanned === expected ? "ok" : "missing";
}

/** Expected lines first (in their order), then what was scanned but not expected. */
export function rowsOf(state: PackState): PackRow[] {
  const blind = state.expected === null;
  const extra = [...state.scanned.keys()].filter((id) => !state.expected?.has(id));
  const ids = [...(state.expected?.keys() ?? []), ...extra];
  return ids.map((skuId) => {
    const expected = state.expected?.get(skuId) ?? null;
    const scanned = state.scanned.get(skuId) ?? 0;
    return { skuId, label: label(state, skuId), expected, scanned, status: statusOf(expected, scanned, blind) };
  });
}

export function hasMismatch(state: PackState): boolean {
  return rowsOf(state).some((row) => row.status === "over" || row.status === "unexpected");
}

function units(map: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const qty of map.values()) total += qty;
  return total;
}

/** Units still to scan (0 when blind). */
export function stillToScan(state: PackState): number {
  const missing = rowsOf(state).filter((row) => row.status === "missing");
  return missing.reduce((sum, row) => sum + (row.expected ?? 0) - row.scanned, 0);
}

export function canConfirm(state: PackState): boolean {
  if (state.step !== "items" || hasMismatch(state)) return false;
  return state.expected === null ? units(state.scanned) > 0 : stillToScan(state) === 0 && units(state.scanned) > 0;
}

/** The one instruction for the step. */
export function promptOf(state: PackState): { message: Bilingual; params?: NoticeParams } {
  if (state.step === "reference") return { message: m.promptReference };
  if (state.step === "loading") return { message: m.loading, params: { reference: state.reference ?? "" } };
  if (hasMismatch(state)) return { message: m.promptFix };
  if (state.expected !== null && canConfirm(state)) return { message: m.promptDone };
  return { message: m.promptItems, params: { reference: state.reference ?? "" } };
}

function said(state: PackState, tone: FlowNotice["tone"], message: Bilingual, params?: NoticeParams): PackState {
  return { ...state, notice: notice(tone, message, params) };
}

/** Says something about a scan or tap that records nothing. */
function reply(
  state: PackState,
  tone: FlowNotice["tone"],
  message: Bilingual,
  params?: NoticeParams,
  sound: FeedbackKind | null = tone === "bad" ? "bad" : tone === "good" ? "good" : null,
): PackOutcome {
  return { state: said(state, tone, message, params), ops: [], feedback: sound };
}

function refuse(state: PackState, message: Bilingual, params?: NoticeParams): PackOutcome {
  return reply(state, "bad", message, params);
}

function shown(resolved: Resolved): string {
  return resolved.kind === "location" ? resolved.location.code : resolved.text.trim();
}

/** A tote, an order or waybill, or text the phone does not know (an order it does not hold). */
function parcelNamed(resolved: Resolved): { reference: string; tote: boolean } | null {
  if (resolved.kind === "unknown") return { reference: resolved.text.trim(), tote: false };
  for (const candidate of candidatesOf(resolved)) {
    if (candidate.kind === "tote") return { reference: candidate.code, tote: true };
    if (candidate.kind === "order" || candidate.kind === "waybill") {
      return { reference: candidate.text.trim(), tote: false };
    }
  }
  return null;
}

function onReference(state: PackState, resolved: Resolved): PackOutcome {
  const lookup = parcelNamed(resolved);
  if (lookup === null || lookup.reference === "" || lookup.reference.length > 128) {
    return refuse(state, m.notAReference, { scanned: shown(resolved) });
  }
  return {
    state: { ...startPack(), step: "loading", reference: lookup.reference },
    ops: [],
    feedback: "good",
    lookup,
  };
}

function onOpened(state: PackState, context: ParcelContext): PackOutcome {
  if (state.step !== "loading" || state.reference !== context.reference) return { state, ops: [], feedback: null };
  const next: PackState = {
    ...state,
    step: "items",
    taskId: context.taskId,
    expected: context.expected,
    skus: new Map(context.skus),
  };
  if (context.expected === null) return reply(next, "info", m.blind);
  if (units(context.expected) === 0) return reply(next, "warn", m.nothingPicked, { reference: context.reference });
  return reply(next, "info", m.expectedKnown, { units: units(context.expected) });
}

/** Adds what a scan counts; the caller has checked the step. */
function onItem(state: PackState, resolved: Resolved): PackOutcome {
  const item = pickKind(resolved, "sku", (c) => state.expected?.has(c.sku.id) ?? true);
  if (item === null) {
    if (resolved.kind === "unknown") {
      return refuse(state, m.unknownCode, { reason: resolved.reason, text: resolved.text.trim() });
    }
    if (candidatesOf(resolved).some((c) => c.kind === "tote" || c.kind === "order" || c.kind === "waybill")) {
      return refuse(state, m.otherParcel, { reference: state.reference ?? "" });
    }
    return refuse(state, m.notAnItem, { scanned: shown(resolved) });
  }
  const skuId = item.sku.id;
  const scanned = new Map(state.scanned);
  const now = (scanned.get(skuId) ?? 0) + item.packQty;
  scanned.set(skuId, now);
  const skus = new Map(state.skus);
  skus.set(skuId, item.sku);
  const next: PackState = { ...state, scanned, skus };
  const sku = label(next, skuId);
  if (state.expected === null) {
    return reply(next, "good", m.addedBlind, { sku, n: item.packQty, scanned: now });
  }
  const expected = state.expected.get(skuId) ?? 0;
  if (expected === 0) return reply(next, "bad", m.unexpected, { sku });
  if (now > expected) {
    return reply(next, "bad", m.tooMany, { sku, scanned: now, expected, extra: now - expected });
  }
  if (canConfirm(next)) return reply(next, "good", m.allScanned, { units: units(scanned) });
  return reply(next, "good", m.added, { sku, n: item.packQty, scanned: now, expected });
}

/** The red line still to fix, said again after a removal that did not fix everything. */
function mismatchNotice(state: PackState): FlowNotice | null {
  const row = rowsOf(state).find((r) => r.status === "over" || r.status === "unexpected");
  if (row === undefined) return null;
  if (row.status === "unexpected") return notice("bad", m.unexpected, { sku: row.label });
  const expected = row.expected ?? 0;
  return notice("bad", m.tooMany, { sku: row.label, scanned: row.scanned, expected, extra: row.scanned - expected });
}

function onRemove(state: PackState, skuId: number): PackOutcome {
  const had = state.scanned.get(skuId) ?? 0;
  if (state.step !== "items" || had === 0) return { state, ops: [], feedback: null };
  const scanned = new Map(state.scanned);
  if (had === 1) scanned.delete(skuId);
  else scanned.set(skuId, had - 1);
  const next: PackState = { ...state, scanned };
  const still = mismatchNotice(next);
  const told = still ?? notice("info", m.removed, { sku: label(next, skuId) });
  return { state: { ...next, notice: told }, ops: [], feedback: null };
}

function onConfirm(state: PackState): PackOutcome {
  if (state.step !== "items" || state.reference === null) return { state, ops: [], feedback: null };
  if (hasMismatch(state)) return refuse(state, m.fixFirst);
  if (units(state.scanned) === 0) return refuse(state, m.scanSomething);
  const missing = state.expected === null ? 0 : stillToScan(state);
  if (missing > 0) return refuse(state, m.stillToScan, { units: missing });
  const items = [...state.scanned.entries()].map(([sku_id, qty]) => ({ sku_id, qty }));
  const op: NewOp = { name: VERIFIED, payload: { reference: state.reference, task_id: state.taskId, items } };
  return {
    state: said(startPack(), "good", m.verified, { reference: state.reference, units: units(state.scanned) }),
    ops: [op],
    feedback: "done",
  };
}

export function packStep(state: PackState, event: PackEvent): PackOutcome {
  switch (event.type) {
    case "scan":
      if (state.step === "reference") return onReference(state, event.resolved);
      if (state.step === "loading") return { state, ops: [], feedback: "bad" };
      return onItem(state, event.resolved);
    case "opened":
      return onOpened(state, event.context);
    case "remove":
      return onRemove(state, event.skuId);
    case "confirm":
      return onConfirm(state);
    case "cancel":
      if (state.step === "reference") return { state, ops: [], feedback: null };
      return reply(startPack(), "info", m.cancelled, { reference: state.reference ?? "" });
  }
}
