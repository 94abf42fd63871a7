// Cycle count (盘点), bin by bin: scan the bin, scan every item in it (each scan adds the label's
// pack quantity, repeats included), fix a quantity by hand if needed, confirm. Confirming states the
// whole bin: one `warehouse.bin_counted` per SKU and lot found, and 0 for every SKU the device
// believes is there but was not found (SPEC.md §7.5; the server compares each with its ledger as of
// the count's time, §7.4). Blind by default: the expected quantity is never shown in a blind count.
// Unknown barcodes are set aside and listed, never sent: the server has no op for "something I
// cannot identify was in this bin".

import { levelsAt, linesOfTask } from "../../store/lookups";
import type { LocationRow, LotRow, OutboxOp, SkuRow, TaskRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import type { Resolved } from "../../scan/resolved";
import type { NewOp } from "../../sync/client";
import { isRejected, numberField, retainedOps } from "../common/outbox-ops";
import { isPhysical, itemRef, lotForScan, lotKey } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { newOp, notice, refuse, step, type Step } from "../common/step-types";
import { countText } from "./messages";

export const COUNT_KINDS: readonly string[] = ["count", "recount"];

export interface CountContext {
  readonly db: CangkuDb;
  readonly userId: number;
}

export interface CountBin {
  readonly location: LocationRow;
  /** The SKUs the task asks about in this bin; null: the whole bin. */
  readonly skuIds: readonly number[] | null;
}

export interface CountTask {
  readonly id: number;
  readonly kind: string;
  readonly blind: boolean;
  readonly bins: readonly CountBin[];
}

export interface CountLine {
  readonly key: string;
  readonly sku: SkuRow;
  readonly lot: LotRow | null;
  readonly counted: number;
  /** What the device's levels say is there; null for an item the device did not expect. */
  readonly expected: number | null;
  /** Scanned or edited by the counter (an expected line nobody touched counts 0). */
  readonly touched: boolean;
}

export interface PendingLot {
  readonly sku: SkuRow;
  readonly qty: number;
  readonly choices: readonly (LotRow | null)[];
}

interface Common {
  /** The device setting that allows expected quantities on non-blind tasks. */
  readonly showExpected: boolean;
}

export type CountState =
  | (Common & { readonly step: "start" })
  | (Common & { readonly step: "bin"; readonly task: CountTask; readonly index: number })
  | (Common & {
      readonly step: "items";
      readonly task: CountTask | null;
      readonly index: number;
      readonly bin: LocationRow;
      readonly blind: boolean;
      readonly lines: readonly CountLine[];
      /** Barcodes noted as "set aside": shown, never recorded. */
      readonly unknown: readonly string[];
      readonly lastUnknown: string | null;
      readonly pendingLot: PendingLot | null;
    })
  | (Common & { readonly step: "done"; readonly task: CountTask });

export type ItemsState = Extract<CountState, { step: "items" }>;

export function countStart(showExpected: boolean): CountState {
  return { step: "start", showExpected };
}

/** Blind unless both the task and the device's setting allow showing what the books expect. */
export function isBlind(task: CountTask | null, showExpected: boolean): boolean {
  return (task?.blind ?? true) || !showExpected;
}

/** Count tasks this person may work on: open ones and their own claimed ones. */
export async function countTasks(db: CangkuDb, userId: number): Promise<TaskRow[]> {
  const tasks = await db.getAll("task");
  return tasks
    .filter((t) => COUNT_KINDS.includes(t.kind))
    .filter((t) => t.assignee_user_id === null || t.assignee_user_id === userId)
    .filter((t) => t.status === "open" || t.status === "claimed")
    .sort((a, b) => b.priority - a.priority || a.id - b.id);
}

async function loadTask(db: CangkuDb, task: TaskRow): Promise<CountTask> {
  const bins: CountBin[] = [];
  for (const line of await linesOfTask(db, task.id)) {
    // A count line without a SKU means "whatever is in the bin" (server/tasks/models.py).
    const skuId = (line.sku_id as number | null) ?? null;
    const existing = bins.findIndex((b) => b.location.id === line.location_id);
    if (existing >= 0) {
      const bin = bins[existing] as CountBin;
      const skuIds = bin.skuIds === null || skuId === null ? null : [...bin.skuIds, skuId];
      bins[existing] = { location: bin.location, skuIds };
      continue;
    }
    const location = await db.get("location", line.location_id);
    if (location !== undefined) bins.push({ location, skuIds: skuId === null ? null : [skuId] });
  }
  return { id: task.id, kind: task.kind, blind: task.blind, bins };
}

/**
 * The first bin of the task this phone has not counted since it took the task: a count task
 * reopened after a reload or a closed browser carries on where the counter stopped, instead of
 * asking for bins already counted (a second count of a bin would only be compared with the first).
 */
export async function resumeIndex(db: CangkuDb, task: CountTask): Promise<number> {
  const ops = await retainedOps(db, ["tasks.task_claimed", "warehouse.bin_counted"]);
  const claim = ops.filter(
    (op) => op.name === "tasks.task_claimed" && numberField(op.payload["task_id"]) === task.id && !isRejected(op),
  );
  const since = claim.length === 0 ? null : (claim[claim.length - 1] as OutboxOp).seq;
  if (since === null) return 0;
  const counted = new Set(
    ops
      .filter((op) => op.name === "warehouse.bin_counted" && op.seq > since)
      .map((op) => numberField(op.payload["location_id"])),
  );
  const next = task.bins.findIndex((bin) => !counted.has(bin.location.id));
  return next < 0 ? task.bins.length - 1 : next;
}

export async function startCountTask(ctx: CountContext, state: CountState, taskId: number): Promise<Step<CountState>> {
  const row = await ctx.db.get("task", taskId);
  if (row === undefined || !COUNT_KINDS.includes(row.kind)) return refuse(state, stepText.taskMissing, { task: taskId });
  if (row.assignee_user_id !== null && row.assignee_user_id !== ctx.userId) {
    return refuse(state, stepText.taskTaken, { task: taskId });
  }
  const task = await loadTask(ctx.db, row);
  if (task.bins.length === 0) return refuse(state, countText.taskEmpty, { task: taskId });
  const claimed = row.status === "claimed" && row.assignee_user_id === ctx.userId;
  const ops = claimed ? [] : [newOp("tasks.task_claimed", { task_id: taskId })];
  return step(
    { step: "bin", task, index: await resumeIndex(ctx.db, task), showExpected: state.showExpected },
    notice("info", countText.taskStarted, { task: taskId, bins: task.bins.length }),
    { ops },
  );
}

async function openBin(
  ctx: CountContext,
  state: CountState,
  task: CountTask | null,
  index: number,
  bin: LocationRow,
  skuIds: readonly number[] | null,
): Promise<Step<CountState>> {
  const lines: CountLine[] = [];
  for (const level of await levelsAt(ctx.db, bin.id)) {
    if (level.on_hand === 0 || (skuIds !== null && !skuIds.includes(level.sku_id))) continue;
    const sku = await ctx.db.get("sku", level.sku_id);
    // A lot-controlled SKU cannot be counted without a lot (the server refuses it): such a level
    // is a placeholder the supervisor sorts out, not something the counter can state.
    if (sku === undefined || sku.is_kit || (sku.lot_controlled && level.lot_id === null)) continue;
    const lot = level.lot_id === null ? null : ((await ctx.db.get("lot", level.lot_id)) ?? null);
    const key = lotKey(sku.id, level.lot_id);
    const at = lines.findIndex((l) => l.key === key);
    if (at >= 0) {
      const line = lines[at] as CountLine;
      lines[at] = { ...line, expected: (line.expected ?? 0) + level.on_hand };
    } else {
      lines.push({ key, sku, lot, counted: 0, expected: level.on_hand, touched: false });
    }
  }
  for (const skuId of skuIds ?? []) {
    if (lines.some((l) => l.sku.id === skuId)) continue;
    const sku = await ctx.db.get("sku", skuId);
    if (sku === undefined || sku.is_kit || sku.lot_controlled) continue;
    lines.push({ key: lotKey(sku.id, null), sku, lot: null, counted: 0, expected: 0, touched: false });
  }
  return step(
    {
      step: "items",
      task,
      index,
      bin,
      blind: isBlind(task, state.showExpected),
      lines,
      unknown: [],
      lastUnknown: null,
      pendingLot: null,
      showExpected: state.showExpected,
    },
    notice("good", countText.binOpened, { bin: bin.code }),
  );
}

function addUnits(state: ItemsState, sku: SkuRow, lot: LotRow | null, qty: number): Step<CountState> {
  const key = lotKey(sku.id, lot?.id ?? null);
  const found = state.lines.find((l) => l.key === key);
  const total = (found?.counted ?? 0) + qty;
  const lines = found
    ? state.lines.map((l) => (l.key === key ? { ...l, counted: total, touched: true } : l))
    : [...state.lines, { key, sku, lot, counted: total, expected: null, touched: true }];
  return step(
    { ...state, lines, pendingLot: null, lastUnknown: null },
    notice("good", countText.added, { qty, item: itemRef(sku, lot), total }),
  );
}

async function scanItem(ctx: CountContext, state: ItemsState, resolved: Resolved): Promise<Step<CountState>> {
  if (state.pendingLot !== null) {
    const pending = state.pendingLot;
    if (resolved.kind !== "lot") return refuse(state, stepText.chooseLotFirst, { sku: pending.sku.code });
    if (resolved.lot.sku_id !== pending.sku.id) {
      return refuse(state, stepText.wrongLot, { lot: resolved.lot.lot_number, sku: pending.sku.code });
    }
    return addUnits(state, pending.sku, resolved.lot, pending.qty);
  }
  switch (resolved.kind) {
    case "sku": {
      const { sku } = resolved;
      if (sku.is_kit) return refuse(state, stepText.kit, { sku: sku.code });
      const pick = await lotForScan(ctx.db, sku, resolved.labelLot, state.bin.id);
      if (pick.kind === "lot") return addUnits(state, sku, pick.lot, resolved.packQty);
      if (pick.kind === "choose") {
        return step(
          { ...state, pendingLot: { sku, qty: resolved.packQty, choices: pick.choices } },
          notice("warn", countText.chooseLot, { sku: sku.code }),
          { feedback: "good" },
        );
      }
      return step(
        { ...state, lastUnknown: resolved.text },
        notice("bad", stepText.unknownLot, { lot: pick.lotNumber || "?", sku: sku.code }),
      );
    }
    case "location":
      if (resolved.location.id === state.bin.id) {
        return step(state, notice("info", countText.stillCounting, { bin: state.bin.code }));
      }
      return refuse(state, countText.confirmBinFirst, { bin: state.bin.code, scanned: resolved.location.code });
    case "lot":
      return refuse(state, stepText.lotLabel);
    case "unknown":
      return step({ ...state, lastUnknown: resolved.text }, notice("bad", countText.unknownItem, { code: resolved.text }));
    case "ambiguous":
      return refuse(state, stepText.ambiguous, { code: resolved.text });
    default:
      return refuse(state, stepText.expectedItem, { scanned: resolved.text });
  }
}

export async function countScan(ctx: CountContext, state: CountState, resolved: Resolved): Promise<Step<CountState>> {
  switch (state.step) {
    case "start":
      if (resolved.kind !== "location") return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
      if (!isPhysical(resolved.location)) return refuse(state, stepText.notABin, { code: resolved.location.code });
      return openBin(ctx, state, null, 0, resolved.location, null);
    case "bin": {
      const expected = state.task.bins[state.index] as CountBin;
      if (resolved.kind !== "location" || resolved.location.id !== expected.location.id) {
        const scanned = resolved.kind === "location" ? resolved.location.code : resolved.text;
        return refuse(state, stepText.expectedBin, { expected: expected.location.code, scanned });
      }
      return openBin(ctx, state, state.task, state.index, expected.location, expected.skuIds);
    }
    case "items":
      return scanItem(ctx, state, resolved);
    case "done":
      return step(state, notice("info", countText.taskDone, { task: state.task.id }));
  }
}

/** The lot chosen from the list offered for the pending scan (index into `choices`). */
export function chooseCountLot(state: CountState, index: number): Step<CountState> {
  if (state.step !== "items" || state.pendingLot === null) return step(state, null);
  const { sku, qty, choices } = state.pendingLot;
  if (index < 0 || index >= choices.length) return step(state, null);
  return addUnits(state, sku, choices[index] ?? null, qty);
}

export function cancelPendingLot(state: CountState): Step<CountState> {
  if (state.step !== "items") return step(state, null);
  return step({ ...state, pendingLot: null }, null);
}

export function setCounted(state: CountState, key: string, qty: number): Step<CountState> {
  if (state.step !== "items") return step(state, null);
  const total = Math.max(0, Math.trunc(qty));
  const line = state.lines.find((l) => l.key === key);
  if (line === undefined) return step(state, null);
  const lines = state.lines.map((l) => (l.key === key ? { ...l, counted: total, touched: true } : l));
  return step({ ...state, lines }, notice("info", countText.qtySet, { item: itemRef(line.sku, line.lot), total }), {
    feedback: null,
  });
}

/** Keeps the last unknown barcode on the screen's "set aside" list (nothing is recorded for it). */
export function noteUnknown(state: CountState): Step<CountState> {
  if (state.step !== "items" || state.lastUnknown === null) return step(state, null);
  const code = state.lastUnknown;
  const unknown = state.unknown.includes(code) ? state.unknown : [...state.unknown, code];
  return step({ ...state, unknown, lastUnknown: null }, notice("info", countText.noted, { code }), { feedback: null });
}

function countOp(bin: LocationRow, line: CountLine, counted: number): NewOp {
  return newOp("warehouse.bin_counted", {
    location_id: bin.id,
    sku_id: line.sku.id,
    counted_qty: counted,
    lot_id: line.lot?.id ?? null,
  });
}

/** After a bin is recorded: the task's next bin, the task's end, or another free count. */
function advance(state: ItemsState, ops: NewOp[], said: ReturnType<typeof notice>): Step<CountState> {
  const { task, showExpected } = state;
  if (task === null) return step({ step: "start", showExpected }, said, { ops });
  if (state.index + 1 < task.bins.length) {
    return step({ step: "bin", task, index: state.index + 1, showExpected }, said, { ops });
  }
  return step(
    { step: "done", task, showExpected },
    notice("good", countText.taskDone, { task: task.id }),
    { ops: [...ops, newOp("tasks.task_completed", { task_id: task.id })], feedback: "done" },
  );
}

/** "This bin is empty": 0 for every SKU the device's levels put in it. */
export function binEmpty(state: CountState): Step<CountState> {
  if (state.step !== "items") return step(state, null);
  if (state.pendingLot !== null) return refuse(state, stepText.chooseLotFirst, { sku: state.pendingLot.sku.code });
  if (state.lines.some((l) => l.counted > 0)) return refuse(state, countText.countedNotEmpty);
  const ops = state.lines.filter((l) => l.expected !== null).map((l) => countOp(state.bin, l, 0));
  return advance(state, ops, notice("good", countText.recordedEmpty, { bin: state.bin.code }));
}

/** Records the bin as counted: every line found, and 0 for every expected line not found. */
export function confirmBin(state: CountState): Step<CountState> {
  if (state.step !== "items") return step(state, null);
  if (state.pendingLot !== null) return refuse(state, stepText.chooseLotFirst, { sku: state.pendingLot.sku.code });
  const ops = state.lines.filter((l) => l.touched || l.expected !== null).map((l) => countOp(state.bin, l, l.counted));
  return advance(state, ops, notice("good", countText.recorded, { bin: state.bin.code, lines: ops.length }));
}

/** Leaves the bin or task unfinished (nothing recorded for the open bin); the task stays claimed. */
export function leaveCount(state: CountState): Step<CountState> {
  return step({ step: "start", showExpected: state.showExpected }, null);
}

/**
 * The lines the screen may show. Blind: only what the counter found, without the expected quantity
 * (showing the untouched expected lines would tell what the books hold).
 */
export function visibleLines(state: ItemsState): readonly CountLine[] {
  if (!state.blind) return state.lines;
  return state.lines.filter((l) => l.touched).map((l) => ({ ...l, expected: null }));
}
