// The pick flow as a pure state machine: (state, event) → (next state, ops to record, feedback).
// The screen records the ops in order and only then shows the next state (SPEC.md §4.1: a scan is
// confirmed once its op is stored), so what the person sees is always what the outbox holds.
//
// One line at a time, location first: go to the bin → scan it → scan the item (each scan counts
// the barcode's pack quantity) → confirm. A line may be reported short, or skipped to the end of
// the walk. When every line is picked, short or cancelled, the task is completed.

import type { Bilingual } from "../../i18n/i18n";
import type { Resolved } from "../../scan/resolved";
import type { NewOp } from "../../sync/client";
import type { FeedbackKind } from "../../ui/feedback";
import { notice, skuLabel, type FlowNotice, type NoticeParam, type NoticeParams } from "../common/notice";
import { candidatesOf, pickKind } from "../common/scan-pick";
import { m } from "./messages";
import { COMPLETED, PICKED, SHORT, isSettled, remaining, type PickLine, type PickTask } from "./pick-data";

export type PickStep =
  | { readonly kind: "tote" }
  | { readonly kind: "bin" }
  | { readonly kind: "item" }
  /** Item scanned: `qty` units in hand, not yet confirmed. */
  | { readonly kind: "qty"; readonly qty: number }
  /** Reporting short: `found` units are there; `held` is what was in hand before (back to it on cancel). */
  | { readonly kind: "short"; readonly found: number; readonly held: number }
  | { readonly kind: "finish" }
  | { readonly kind: "closed" };

export interface PickState {
  readonly task: PickTask;
  /** Lines still to pick, in the order they will be visited: the current one first. */
  readonly queue: readonly number[];
  /** The tote picks go into; null: none; undefined: not asked yet. */
  readonly tote: string | null | undefined;
  readonly step: PickStep;
  readonly notice: FlowNotice | null;
}

export type PickEvent =
  | { readonly type: "scan"; readonly resolved: Resolved }
  | { readonly type: "no_tote" }
  | { readonly type: "qty"; readonly qty: number }
  | { readonly type: "confirm" }
  | { readonly type: "short" }
  | { readonly type: "short_qty"; readonly found: number }
  | { readonly type: "short_confirm" }
  | { readonly type: "short_cancel" }
  | { readonly type: "skip" }
  | { readonly type: "finish" };

export interface PickOutcome {
  readonly state: PickState;
  /** To record, in this order, before showing `state`. */
  readonly ops: readonly NewOp[];
  readonly feedback: FeedbackKind | null;
}

/** Where a (re)opened task stands: the first line not yet settled, in walking order. */
export function startPick(task: PickTask): PickState {
  const queue = task.lines.filter((l) => !isSettled(l)).map((l) => l.id);
  const step: PickStep =
    queue.length === 0 ? { kind: "finish" } : task.tote === undefined ? { kind: "tote" } : { kind: "bin" };
  return { task, queue, tote: task.tote, step, notice: null };
}

export function currentLine(state: PickState): PickLine | null {
  const id = state.queue[0];
  return id === undefined ? null : (state.task.lines.find((l) => l.id === id) ?? null);
}

export function lineSku(line: PickLine): Bilingual {
  return skuLabel(line.sku, line.skuId);
}

/** The one instruction for the step (the screen's big prompt). */
export function promptOf(state: PickState): { message: Bilingual; params?: NoticeParams } {
  const line = currentLine(state);
  switch (state.step.kind) {
    case "tote":
      return { message: m.promptTote };
    case "bin":
      return { message: m.promptBin, params: { bin: line?.locationCode ?? "" } };
    case "item":
      return { message: m.promptItem, params: { sku: line === null ? "" : lineSku(line) } };
    case "qty":
      return { message: m.promptQty, params: { qty: state.step.qty, left: line === null ? 0 : remaining(line) } };
    case "short":
      return { message: m.promptShort };
    case "finish":
      return { message: m.promptFinish };
    case "closed":
      return { message: m.promptClosed };
  }
}

function stay(state: PickState, tone: FlowNotice["tone"], message: Bilingual, params?: NoticeParams): PickOutcome {
  return {
    state: { ...state, notice: notice(tone, message, params) },
    ops: [],
    feedback: tone === "bad" ? "bad" : tone === "good" ? "good" : null,
  };
}

function refuse(state: PickState, message: Bilingual, params?: NoticeParams): PickOutcome {
  return stay(state, "bad", message, params);
}

function withLine(task: PickTask, changed: PickLine): PickTask {
  return { ...task, lines: task.lines.map((l) => (l.id === changed.id ? changed : l)) };
}

function completeOp(task: PickTask): NewOp {
  return { name: COMPLETED, payload: { task_id: task.id } };
}

/** The step for the line at the queue's head, having just been at `from` (its bin needs no rescan). */
function arrive(task: PickTask, queue: readonly number[], from: number | null): PickStep {
  const next = task.lines.find((l) => l.id === queue[0]);
  if (next === undefined) return { kind: "finish" };
  return next.locationId === from ? { kind: "item" } : { kind: "bin" };
}

/**
 * After a line changed (picked or reported short): stay on it if it still wants units, else move
 * to the next one; with nothing left, complete the task in the same breath.
 */
function advance(
  state: PickState,
  changed: PickLine,
  ops: NewOp[],
  onLine: FlowNotice,
  nextNotice: (next: PickLine) => FlowNotice,
): PickOutcome {
  const task = withLine(state.task, changed);
  if (!isSettled(changed)) {
    return { state: { ...state, task, step: { kind: "item" }, notice: onLine }, ops, feedback: "good" };
  }
  const queue = state.queue.filter((id) => id !== changed.id);
  if (queue.length === 0) {
    const done = notice("good", m.taskDone, { reference: task.reference });
    return {
      state: { ...state, task, queue, step: { kind: "closed" }, notice: done },
      ops: [...ops, completeOp(task)],
      feedback: "done",
    };
  }
  const step = arrive(task, queue, changed.locationId);
  const next = task.lines.find((l) => l.id === queue[0]) as PickLine;
  return { state: { ...state, task, queue, step, notice: nextNotice(next) }, ops, feedback: "good" };
}

function pickedNotice(qty: number, from: PickLine): (next: PickLine) => FlowNotice {
  return (next) =>
    next.locationId === from.locationId
      ? notice("good", m.pickedSameBin, { qty, sku: lineSku(next) })
      : notice("good", m.pickedNext, { qty, bin: next.locationCode });
}

function described(resolved: Resolved): NoticeParam {
  switch (resolved.kind) {
    case "location":
      return resolved.location.code;
    case "sku":
      return skuLabel(resolved.sku, resolved.sku.id);
    case "tote":
      return resolved.code;
    default:
      return resolved.text.trim();
  }
}

function unknown(state: PickState, resolved: Resolved): PickOutcome | null {
  if (resolved.kind !== "unknown") return null;
  return refuse(state, m.unknownCode, { reason: resolved.reason, text: resolved.text.trim() });
}

function onTote(state: PickState, resolved: Resolved): PickOutcome | null {
  const tote = pickKind(resolved, "tote");
  if (tote === null || candidatesOf(resolved).some((c) => c.kind !== "tote")) return null;
  const step: PickStep = state.step.kind === "tote" ? { kind: "bin" } : state.step;
  return {
    state: { ...state, tote: tote.code, step, notice: notice("good", m.toteSet, { tote: tote.code }) },
    ops: [],
    feedback: "good",
  };
}

function onBin(state: PickState, line: PickLine, resolved: Resolved): PickOutcome {
  const location = pickKind(resolved, "location", (c) => c.location.id === line.locationId);
  if (location === null) {
    return (
      unknown(state, resolved) ??
      refuse(state, state.step.kind === "bin" ? m.binFirst : m.notAnItem, {
        expected: state.step.kind === "bin" ? line.locationCode : lineSku(line),
        scanned: described(resolved),
      })
    );
  }
  if (location.location.id !== line.locationId) {
    return refuse(state, m.wrongBin, { expected: line.locationCode, scanned: location.location.code });
  }
  if (state.step.kind !== "bin") {
    return { ...stay(state, "info", m.binAgain, { bin: line.locationCode, sku: lineSku(line) }), feedback: "good" };
  }
  return {
    state: {
      ...state,
      step: { kind: "item" },
      notice: notice("good", m.binOk, { bin: line.locationCode, sku: lineSku(line) }),
    },
    ops: [],
    feedback: "good",
  };
}

function lotMismatch(line: PickLine, scanned: Extract<Resolved, { kind: "sku" }>): string | null {
  const label = scanned.labelLot;
  if (line.lotId === null || label === null || label.lotNumber === null) return null;
  if (label.lot !== null && label.lot.id === line.lotId) return null;
  if (line.lotNumber !== null && label.lotNumber === line.lotNumber) return null;
  return label.lotNumber;
}

function onItem(state: PickState, line: PickLine, resolved: Resolved, held: number): PickOutcome {
  const item = pickKind(resolved, "sku", (c) => c.sku.id === line.skuId);
  if (item === null) {
    if (candidatesOf(resolved).some((c) => c.kind === "location")) return onBin(state, line, resolved);
    if (candidatesOf(resolved).some((c) => c.kind === "lot")) return refuse(state, m.scanItemNotLot);
    const scanned = described(resolved);
    return unknown(state, resolved) ?? refuse(state, m.notAnItem, { expected: lineSku(line), scanned });
  }
  if (item.sku.id !== line.skuId) {
    return refuse(state, m.wrongItem, { expected: lineSku(line), scanned: skuLabel(item.sku, item.sku.id) });
  }
  const wrongLot = lotMismatch(line, item);
  if (wrongLot !== null) {
    return refuse(state, m.wrongLot, { expected: line.lotNumber ?? `#${line.lotId}`, scanned: wrongLot });
  }
  const left = remaining(line);
  const qty = held + item.packQty;
  if (qty > left) {
    return held === left
      ? refuse(state, m.overPickFull, { left })
      : refuse(state, m.overPick, { left: left - held, n: item.packQty });
  }
  return {
    state: { ...state, step: { kind: "qty", qty }, notice: notice("good", m.counted, { qty, left }) },
    ops: [],
    feedback: "good",
  };
}

function onScan(state: PickState, resolved: Resolved): PickOutcome {
  const step = state.step;
  if (step.kind === "closed") return { state, ops: [], feedback: null };
  if (step.kind === "finish") return refuse(state, m.finishFirst);
  const tote = onTote(state, resolved);
  if (tote !== null) return tote;
  if (step.kind === "tote") return unknown(state, resolved) ?? refuse(state, m.toteFirst);
  if (step.kind === "short") return refuse(state, m.shortScan);
  const line = currentLine(state);
  if (line === null) return refuse(state, m.notNow);
  if (step.kind === "bin") return onBin(state, line, resolved);
  return onItem(state, line, resolved, step.kind === "qty" ? step.qty : 0);
}

function pickOp(state: PickState, line: PickLine, qty: number): NewOp {
  return {
    name: PICKED,
    payload: {
      task_line_id: line.id,
      location_id: line.locationId,
      sku_id: line.skuId,
      lot_id: line.lotId,
      qty,
      tote: state.tote ?? null,
    },
  };
}

function onConfirm(state: PickState): PickOutcome {
  const line = currentLine(state);
  if (state.step.kind !== "qty" || line === null) return refuse(state, m.notNow);
  const qty = state.step.qty;
  const left = remaining(line);
  if (qty < 1) return refuse(state, m.qtyZero);
  if (qty > left) return refuse(state, m.qtyTooMany, { left });
  const changed = { ...line, done: line.done + qty };
  return advance(
    state,
    changed,
    [pickOp(state, line, qty)],
    notice("good", m.picked, { qty, left: remaining(changed) }),
    pickedNotice(qty, line),
  );
}

function onShortConfirm(state: PickState): PickOutcome {
  const line = currentLine(state);
  if (state.step.kind !== "short" || line === null) return refuse(state, m.notNow);
  const found = state.step.found;
  const left = remaining(line);
  if (found >= left) return refuse(state, m.shortTooMany, { found, left });
  // The server reads `found_qty` as units still in the bin beyond what was picked for the line
  // (it re-routes qty − done − found), so the found units are picked first and reported as 0 more.
  const ops: NewOp[] = found > 0 ? [pickOp(state, line, found)] : [];
  ops.push({
    name: SHORT,
    payload: { task_line_id: line.id, location_id: line.locationId, sku_id: line.skuId, found_qty: 0 },
  });
  const changed = { ...line, done: line.done + found, short: true };
  const said = notice("warn", m.shortRecorded, { found, left });
  return advance(state, changed, ops, said, () => said);
}

function onSkip(state: PickState): PickOutcome {
  const step = state.step;
  const line = currentLine(state);
  const walking = step.kind === "bin" || step.kind === "item" || step.kind === "qty";
  if (line === null || !walking) return refuse(state, m.notNow);
  if (step.kind === "qty" && step.qty > 0) return refuse(state, m.skipHeld, { qty: step.qty });
  if (state.queue.length < 2) return stay(state, "info", m.skipAlone);
  const queue = [...state.queue.slice(1), line.id];
  const next = state.task.lines.find((l) => l.id === queue[0]) as PickLine;
  return {
    state: { ...state, queue, step: { kind: "bin" }, notice: notice("info", m.skipped, { bin: next.locationCode }) },
    ops: [],
    feedback: null,
  };
}

export function pickStep(state: PickState, event: PickEvent): PickOutcome {
  const step = state.step;
  switch (event.type) {
    case "scan":
      return onScan(state, event.resolved);
    case "no_tote":
      if (step.kind !== "tote") return refuse(state, m.notNow);
      return {
        state: { ...state, tote: null, step: { kind: "bin" }, notice: notice("info", m.toteNone) },
        ops: [],
        feedback: null,
      };
    case "qty": {
      const line = currentLine(state);
      if (step.kind !== "qty" || line === null) return refuse(state, m.notNow);
      const qty = Math.max(0, Math.trunc(event.qty));
      if (qty > remaining(line)) return refuse(state, m.qtyTooMany, { left: remaining(line) });
      return { state: { ...state, step: { kind: "qty", qty } }, ops: [], feedback: null };
    }
    case "confirm":
      return onConfirm(state);
    case "short": {
      const line = currentLine(state);
      if (line === null) return refuse(state, m.notNow);
      if (step.kind === "bin") return refuse(state, m.shortNeedsBin, { expected: line.locationCode });
      if (step.kind !== "item" && step.kind !== "qty") return refuse(state, m.notNow);
      const held = step.kind === "qty" ? step.qty : 0;
      return { state: { ...state, step: { kind: "short", found: held, held }, notice: null }, ops: [], feedback: null };
    }
    case "short_qty":
      if (step.kind !== "short") return refuse(state, m.notNow);
      return {
        state: { ...state, step: { ...step, found: Math.max(0, Math.trunc(event.found)) } },
        ops: [],
        feedback: null,
      };
    case "short_confirm":
      return onShortConfirm(state);
    case "short_cancel":
      if (step.kind !== "short") return refuse(state, m.notNow);
      return {
        state: { ...state, step: step.held > 0 ? { kind: "qty", qty: step.held } : { kind: "item" }, notice: null },
        ops: [],
        feedback: null,
      };
    case "skip":
      return onSkip(state);
    case "finish":
      if (step.kind !== "finish") return refuse(state, m.notNow);
      return {
        state: {
          ...state,
          step: { kind: "closed" },
          notice: notice("good", m.taskDone, { reference: state.task.reference }),
        },
        ops: [completeOp(state.task)],
        feedback: "done",
      };
  }
}
