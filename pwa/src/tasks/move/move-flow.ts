// Put-away and moves (上架 / 移库): scan the bin the goods are in (a receiving dock or any bin) →
// scan the item → quantity → the suggested bin, shown big → scan the bin they went into → one
// `warehouse.item_moved` (SPEC.md §7.5). A move is a fact: a bin the device shows empty still gives
// (the server opens a count if it goes negative), and a bin other than the suggestion is allowed
// once confirmed. Put-away and put-back tasks from the store drive the same steps, line by line.
// `item_moved` names no task line, so the task's progress is kept here and the task is completed
// (`tasks.task_completed`) when every line has been moved.

import type { Resolved } from "../../scan/resolved";
import { linesOfTask } from "../../store/lookups";
import type { LocationRow, LotRow, SkuRow, TaskLineRow, TaskRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { isPhysical, itemRef, lotForScan, skuLevelsIn } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { suggestBins, type Suggestion } from "../common/step-putaway";
import { checkToBin } from "../common/step-tobin";
import { newOp, notice, refuse, step, type Step } from "../common/step-types";
import { moveText } from "./messages";

export const MOVE_KINDS: readonly string[] = ["put_away", "put_back"];

export interface MoveContext {
  readonly db: CangkuDb;
  readonly userId: number;
}

export interface MoveLine {
  readonly line: TaskLineRow;
  readonly sku: SkuRow;
  readonly lot: LotRow | null;
  readonly from: LocationRow;
  readonly moved: number;
}

export interface MoveTask {
  readonly id: number;
  readonly kind: string;
  /** The task's destination (a put-back goes back to the bin it came from). */
  readonly to: LocationRow | null;
  readonly lines: readonly MoveLine[];
}

export interface MoveItem {
  readonly sku: SkuRow;
  readonly lot: LotRow | null;
  readonly qty: number;
}

export interface MoveState {
  readonly step: "from" | "item" | "lot" | "qty" | "to" | "done";
  readonly task: MoveTask | null;
  /** The task line being worked on. */
  readonly lineIndex: number;
  readonly from: LocationRow | null;
  readonly item: MoveItem | null;
  /** An item scanned whose lot must be chosen. */
  readonly pendingLot: { readonly sku: SkuRow; readonly qty: number; readonly choices: readonly (LotRow | null)[] } | null;
  readonly suggestions: readonly Suggestion[];
  /** A bin other than the suggested one, waiting for "yes, this one". */
  readonly pendingTo: LocationRow | null;
}

export function moveStart(): MoveState {
  return { step: "from", task: null, lineIndex: 0, from: null, item: null, pendingLot: null, suggestions: [], pendingTo: null };
}

export async function moveTasks(db: CangkuDb, userId: number): Promise<TaskRow[]> {
  const tasks = await db.getAll("task");
  return tasks
    .filter((t) => MOVE_KINDS.includes(t.kind))
    .filter((t) => t.assignee_user_id === null || t.assignee_user_id === userId)
    .filter((t) => t.status === "open" || t.status === "claimed")
    .sort((a, b) => b.priority - a.priority || a.id - b.id);
}

export function currentLine(state: MoveState): MoveLine | null {
  return state.task?.lines[state.lineIndex] ?? null;
}

export async function startMoveTask(ctx: MoveContext, state: MoveState, taskId: number): Promise<Step<MoveState>> {
  const row = await ctx.db.get("task", taskId);
  if (row === undefined || !MOVE_KINDS.includes(row.kind)) return refuse(state, stepText.taskMissing, { task: taskId });
  if (row.assignee_user_id !== null && row.assignee_user_id !== ctx.userId) {
    return refuse(state, stepText.taskTaken, { task: taskId });
  }
  const lines: MoveLine[] = [];
  for (const line of await linesOfTask(ctx.db, taskId)) {
    const skuId = (line.sku_id as number | null) ?? null;
    if (skuId === null || line.status !== "open") continue;
    const sku = await ctx.db.get("sku", skuId);
    const from = await ctx.db.get("location", line.location_id);
    if (sku === undefined || from === undefined) continue;
    const lot = line.lot_id === null ? null : ((await ctx.db.get("lot", line.lot_id)) ?? null);
    lines.push({ line, sku, lot, from, moved: line.done_qty });
  }
  const open = lines.findIndex((l) => l.moved < l.line.qty);
  if (open < 0) return refuse(state, moveText.taskEmpty, { task: taskId });
  const to = row.to_location_id === null ? null : ((await ctx.db.get("location", row.to_location_id)) ?? null);
  const claimed = row.status === "claimed" && row.assignee_user_id === ctx.userId;
  return step(
    { ...moveStart(), task: { id: row.id, kind: row.kind, to, lines }, lineIndex: open },
    notice("info", moveText.taskStarted, { task: row.id, lines: lines.length }),
    { ops: claimed ? [] : [newOp("tasks.task_claimed", { task_id: row.id })] },
  );
}

function scanFrom(state: MoveState, location: LocationRow): Step<MoveState> {
  const line = currentLine(state);
  if (line !== null && line.from.id !== location.id) {
    return refuse(state, stepText.expectedBin, { expected: line.from.code, scanned: location.code });
  }
  if (!isPhysical(location)) return refuse(state, stepText.notABin, { code: location.code });
  return step(
    { ...state, step: "item", from: location, item: null, pendingLot: null, pendingTo: null },
    notice("good", moveText.fromChosen, { bin: location.code }),
  );
}

async function scanItem(ctx: MoveContext, state: MoveState, resolved: Extract<Resolved, { kind: "sku" }>): Promise<Step<MoveState>> {
  const { sku, labelLot } = resolved;
  const from = state.from;
  if (from === null) return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
  if (sku.is_kit) return refuse(state, stepText.kit, { sku: sku.code });
  const line = currentLine(state);
  if (line !== null) {
    const labelled = labelLot?.lot ?? null;
    if (sku.id !== line.sku.id || (line.lot !== null && labelled !== null && labelled.id !== line.lot.id)) {
      return refuse(state, stepText.wrongItem, { expected: itemRef(line.sku, line.lot), scanned: itemRef(sku, labelled) });
    }
    if (line.lot !== null || !sku.lot_controlled) {
      const qty = Math.max(1, line.line.qty - line.moved);
      return toQty(state, { sku, lot: line.lot ?? labelled, qty });
    }
  }
  const pick = await lotForScan(ctx.db, sku, labelLot, from.id);
  if (pick.kind === "unknown") return refuse(state, stepText.unknownLot, { lot: pick.lotNumber || "?", sku: sku.code });
  const qty = line === null ? resolved.packQty : Math.max(1, line.line.qty - line.moved);
  if (pick.kind === "choose") {
    return step(
      { ...state, step: "lot", pendingLot: { sku, qty, choices: pick.choices } },
      notice("warn", moveText.chooseLot, { sku: sku.code }),
      { feedback: "good" },
    );
  }
  const moving: MoveItem = { sku, lot: pick.lot, qty };
  const held = await skuLevelsIn(ctx.db, from.id, sku.id);
  if (line === null && !held.some((l) => l.on_hand > 0)) {
    return step(
      { ...state, step: "qty", item: moving },
      notice("warn", moveText.noneInBin, { bin: from.code, sku: sku.code }),
      { feedback: "good" },
    );
  }
  return toQty(state, moving);
}

function toQty(state: MoveState, item: MoveItem): Step<MoveState> {
  return step(
    { ...state, step: "qty", item, pendingLot: null },
    notice("good", moveText.itemScanned, { item: itemRef(item.sku, item.lot), qty: item.qty }),
  );
}

/** Quantity → the to-bin step, with the suggestion worked out once. */
export async function moveNext(ctx: MoveContext, state: MoveState): Promise<Step<MoveState>> {
  if (state.step !== "qty" || state.item === null || state.from === null) return step(state, null);
  const to = state.task?.to ?? null;
  const suggestions: Suggestion[] =
    to !== null
      ? [{ location: to, rule: "destination", reason: { en: "the task's destination", zh: "任务指定库位" } }]
      : await suggestBins(ctx.db, { skuId: state.item.sku.id, lotId: state.item.lot?.id ?? null, exclude: [state.from.id] });
  return step({ ...state, step: "to", suggestions, pendingTo: null }, null, { feedback: null });
}

function recordMove(state: MoveState, to: LocationRow): Step<MoveState> {
  const { item, from, task } = state;
  if (item === null || from === null) return step(state, null);
  const reason = task?.kind === "put_away" || from.type === "receiving" ? "putaway" : "transfer";
  const op = newOp("warehouse.item_moved", {
    sku_id: item.sku.id,
    from_location_id: from.id,
    to_location_id: to.id,
    qty: item.qty,
    lot_id: item.lot?.id ?? null,
    reason,
  });
  const said = notice("good", moveText.moved, { qty: item.qty, item: itemRef(item.sku, item.lot), from: from.code, to: to.code });
  const cleared = { item: null, pendingLot: null, suggestions: [], pendingTo: null };
  if (task === null) {
    // Free moves: stay at the same bin (unloading a dock is many items from one place).
    return step({ ...state, ...cleared, step: "item" }, said, { ops: [op], feedback: "done" });
  }
  const lines = task.lines.map((l, index) => (index === state.lineIndex ? { ...l, moved: l.moved + item.qty } : l));
  const next = lines.findIndex((l) => l.moved < l.line.qty);
  const updated: MoveTask = { ...task, lines };
  if (next < 0) {
    return step(
      { ...state, ...cleared, task: updated, step: "done" },
      notice("good", moveText.taskDone, { task: task.id }),
      { ops: [op, newOp("tasks.task_completed", { task_id: task.id })], feedback: "done" },
    );
  }
  const sameBin = lines[next]?.from.id === from.id;
  return step(
    { ...state, ...cleared, task: updated, lineIndex: next, step: sameBin ? "item" : "from", from: sameBin ? from : null },
    said,
    { ops: [op], feedback: "done" },
  );
}

function scanTo(state: MoveState, location: LocationRow): Step<MoveState> {
  const suggested = state.suggestions[0]?.location ?? null;
  const check = checkToBin(location, { from: state.from, suggested, pending: state.pendingTo });
  if (check.kind === "refuse") return refuse(state, check.text, check.params);
  if (check.kind === "accept") return recordMove(state, location);
  return step(
    { ...state, pendingTo: location },
    notice("warn", stepText.otherBin, { scanned: location.code, suggested: suggested?.code ?? "" }),
    { feedback: "bad" },
  );
}

/** "Yes, this bin" for a bin other than the suggested one. */
export function confirmOtherBin(state: MoveState): Step<MoveState> {
  if (state.step !== "to" || state.pendingTo === null) return step(state, null);
  return recordMove(state, state.pendingTo);
}

export async function moveScan(ctx: MoveContext, state: MoveState, resolved: Resolved): Promise<Step<MoveState>> {
  const line = currentLine(state);
  switch (state.step) {
    case "from":
      if (resolved.kind === "location") return scanFrom(state, resolved.location);
      if (line !== null) return refuse(state, stepText.expectedBin, { expected: line.from.code, scanned: resolved.text });
      return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
    case "item":
      switch (resolved.kind) {
        case "sku":
          return scanItem(ctx, state, resolved);
        case "location":
          if (line === null) return scanFrom(state, resolved.location);
          return refuse(state, stepText.expectedItem, { scanned: resolved.location.code });
        case "unknown":
          return refuse(state, stepText.unknownCode, { code: resolved.text });
        case "ambiguous":
          return refuse(state, stepText.ambiguous, { code: resolved.text });
        case "lot":
          return refuse(state, stepText.lotLabel);
        default:
          return refuse(state, stepText.expectedItem, { scanned: resolved.text });
      }
    case "lot": {
      const pending = state.pendingLot;
      if (pending === null) return step(state, null);
      if (resolved.kind !== "lot") return refuse(state, stepText.chooseLotFirst, { sku: pending.sku.code });
      if (resolved.lot.sku_id !== pending.sku.id) {
        return refuse(state, stepText.wrongLot, { lot: resolved.lot.lot_number, sku: pending.sku.code });
      }
      return toQty(state, { sku: pending.sku, lot: resolved.lot, qty: pending.qty });
    }
    case "qty": {
      const item = state.item;
      if (item === null) return step(state, null);
      if (resolved.kind === "sku" && resolved.sku.id === item.sku.id) {
        const labelled = resolved.labelLot?.lot ?? null;
        if (labelled === null || labelled.id === item.lot?.id) {
          const total = item.qty + resolved.packQty;
          return step(
            { ...state, item: { ...item, qty: total } },
            notice("good", moveText.qtyAdded, { qty: resolved.packQty, item: itemRef(item.sku, item.lot), total }),
          );
        }
      }
      if (resolved.kind === "location") {
        // Scanning the destination straight away is the same as Next, then that bin.
        const at = await moveNext(ctx, state);
        return scanTo(at.state, resolved.location);
      }
      return refuse(state, moveText.finishFirst, { item: itemRef(item.sku, item.lot), scanned: resolved.text });
    }
    case "to":
      if (resolved.kind === "location") return scanTo(state, resolved.location);
      return refuse(state, stepText.scanBinFirst, { scanned: resolved.text });
    case "done":
      return step(state, notice("info", moveText.taskDone, { task: state.task?.id ?? 0 }));
  }
}

export function chooseMoveLot(state: MoveState, index: number): Step<MoveState> {
  const pending = state.pendingLot;
  if (state.step !== "lot" || pending === null || index < 0 || index >= pending.choices.length) return step(state, null);
  return toQty(state, { sku: pending.sku, lot: pending.choices[index] ?? null, qty: pending.qty });
}

export function setMoveQty(state: MoveState, qty: number): Step<MoveState> {
  if (state.step !== "qty" || state.item === null) return step(state, null);
  return step({ ...state, item: { ...state.item, qty: Math.max(1, Math.trunc(qty)) } }, null);
}

/** Drops the item being moved (nothing recorded); back to scanning an item in the same bin. */
export function cancelMove(state: MoveState): Step<MoveState> {
  if (state.from === null) return step({ ...state, step: "from" }, null);
  return step({ ...state, step: "item", item: null, pendingLot: null, suggestions: [], pendingTo: null }, null);
}

/** Another from-bin (free moves only: a task says where to go). */
export function changeFrom(state: MoveState): Step<MoveState> {
  if (state.task !== null) return step(state, null);
  return step({ ...moveStart() }, null);
}

/** Leaves a task unfinished (it stays claimed) or ends free moving. */
export function leaveMove(): Step<MoveState> {
  return step(moveStart(), null);
}
