// What the pick screen knows of a task, read from the store and the outbox together. The store
// holds the server's rows as of the last pull; the outbox holds what this phone did since. A line's
// progress is the server's `done_qty` plus the picks the server had not yet counted when those
// rows were pulled, so a reload or a closed browser resumes at the right line and never asks for a
// unit twice (SPEC.md §6.2: a pull page's `last_applied_seq` tells which ops its rows include).

import type { Bilingual } from "../../i18n/i18n";
import { readMeta } from "../../store/meta";
import type { LocationRow, OutboxOp, SkuRow, TaskLineRow, TaskRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { isApplied, isRejected, numberField, retainedOps, stringField } from "../common/outbox-ops";

export const PICKED = "fulfilment.item_picked";
export const SHORT = "fulfilment.pick_short";
export const CLAIMED = "tasks.task_claimed";
export const COMPLETED = "tasks.task_completed";

export interface PickLine {
  readonly id: number;
  readonly lineNo: number;
  readonly locationId: number;
  readonly locationCode: string;
  readonly walking: number | null;
  readonly skuId: number;
  readonly sku: SkuRow | null;
  readonly lotId: number | null;
  readonly lotNumber: string | null;
  readonly qty: number;
  /** Units picked, counting this phone's picks the store does not show yet. */
  readonly done: number;
  /** Reported short (by the store's status or an op of this phone). */
  readonly short: boolean;
  readonly cancelled: boolean;
}

export interface PickTask {
  readonly id: number;
  readonly reference: string;
  readonly reason: string;
  readonly priority: number;
  /** Lines in walking order: the bins' walking sequence, then bin code, then line number. */
  readonly lines: readonly PickLine[];
  /** The tote of this task's last pick (null: picked without one); undefined before the first pick. */
  readonly tote: string | null | undefined;
}

export type Claim =
  | { readonly state: "free" }
  | { readonly state: "mine" }
  | { readonly state: "taken"; readonly message: Bilingual | null };

export function isSettled(line: PickLine): boolean {
  return line.cancelled || line.short || line.done >= line.qty;
}

export function remaining(line: PickLine): number {
  return Math.max(0, line.qty - line.done);
}

export function walkingOrder(a: PickLine, b: PickLine): number {
  const wa = a.walking ?? Number.MAX_SAFE_INTEGER;
  const wb = b.walking ?? Number.MAX_SAFE_INTEGER;
  if (wa !== wb) return wa - wb;
  if (a.locationCode !== b.locationCode) return a.locationCode < b.locationCode ? -1 : 1;
  return a.lineNo - b.lineNo;
}

function lineIdOf(op: OutboxOp): number | null {
  return numberField(op.payload["task_line_id"]);
}

function taskIdOf(op: OutboxOp): number | null {
  return numberField(op.payload["task_id"]);
}

/**
 * Progress of one line from its stored row and this phone's ops for it (oldest first).
 *
 * `reflectedSeq` is the `last_applied_seq` of the last pull page: the row includes every op up to
 * it. An answered pick also tells the line's `done_qty` right after it (`line_done_qty`), which
 * covers picks answered after that pull. Unanswered picks are in neither unless the pull saw them.
 * Rejected ops changed nothing.
 */
export function progressOf(
  row: TaskLineRow,
  ops: readonly OutboxOp[],
  reflectedSeq: number,
): { done: number; short: boolean } {
  const mine = ops.filter((op) => !isRejected(op) && lineIdOf(op) === row.id);
  const short = row.status === "short" || mine.some((op) => op.name === SHORT);
  const picks = mine.filter((op) => op.name === PICKED);
  // The latest point whose line total is known: the pulled row, or a later answered pick.
  let seenUpTo = reflectedSeq;
  let known = row.done_qty;
  for (const op of picks) {
    const answered = isApplied(op) ? numberField(op.answer?.result["line_done_qty"]) : null;
    if (answered !== null && op.seq > seenUpTo) {
      seenUpTo = op.seq;
      known = Math.max(known, answered);
    }
  }
  let unseen = 0;
  for (const op of picks) if (op.seq > seenUpTo) unseen += numberField(op.payload["qty"]) ?? 0;
  const done = known + unseen;
  return { done: row.status === "done" ? Math.max(done, row.qty) : done, short };
}

/** Whether this user holds the task, may take it, or lost it to someone else. */
export function claimOf(task: TaskRow, userId: number, claims: readonly OutboxOp[]): Claim {
  if (task.assignee_user_id === userId) return { state: "mine" };
  const mine = claims.filter((op) => taskIdOf(op) === task.id);
  const latest = mine.at(-1);
  if (latest !== undefined && isRejected(latest)) {
    const answer = latest.answer;
    const own =
      answer !== null && answer.code !== "task_taken" && answer.message !== ""
        ? { en: answer.message, zh: answer.message_zh || answer.message }
        : null;
    return { state: "taken", message: own };
  }
  if (latest !== undefined) return { state: "mine" };
  if (task.assignee_user_id !== null) return { state: "taken", message: null };
  return { state: "free" };
}

/** This phone asked to complete the task (and was not refused): it is finished here. */
export function completedHere(taskId: number, completions: readonly OutboxOp[]): boolean {
  return completions.some((op) => taskIdOf(op) === taskId && !isRejected(op));
}

interface Context {
  readonly ops: readonly OutboxOp[];
  readonly reflectedSeq: number;
  readonly locations: Map<number, LocationRow | undefined>;
  readonly skus: Map<number, SkuRow | undefined>;
}

async function context(db: CangkuDb): Promise<Context> {
  const [ops, feed] = await Promise.all([retainedOps(db, [PICKED, SHORT, CLAIMED, COMPLETED]), readMeta(db, "feed")]);
  return { ops, reflectedSeq: feed.serverAppliedSeq, locations: new Map(), skus: new Map() };
}

async function location(db: CangkuDb, ctx: Context, id: number): Promise<LocationRow | undefined> {
  if (!ctx.locations.has(id)) ctx.locations.set(id, await db.get("location", id));
  return ctx.locations.get(id);
}

async function skuRow(db: CangkuDb, ctx: Context, id: number): Promise<SkuRow | undefined> {
  if (!ctx.skus.has(id)) ctx.skus.set(id, await db.get("sku", id));
  return ctx.skus.get(id);
}

async function pickLines(db: CangkuDb, ctx: Context, taskId: number): Promise<PickLine[]> {
  const rows = await db.getAllFromIndex("task_line", "by_task", taskId);
  const lines: PickLine[] = [];
  for (const row of rows) {
    const where = await location(db, ctx, row.location_id);
    const lot = row.lot_id === null ? undefined : await db.get("lot", row.lot_id);
    const progress = progressOf(row, ctx.ops, ctx.reflectedSeq);
    lines.push({
      id: row.id,
      lineNo: row.line_no,
      locationId: row.location_id,
      locationCode: where?.code ?? `#${row.location_id}`,
      walking: where?.walking_sequence ?? null,
      skuId: row.sku_id,
      sku: (await skuRow(db, ctx, row.sku_id)) ?? null,
      lotId: row.lot_id,
      lotNumber: lot?.lot_number ?? null,
      qty: row.qty,
      done: progress.done,
      short: progress.short,
      cancelled: row.status === "cancelled",
    });
  }
  return lines.sort(walkingOrder);
}

function toteOf(lines: readonly PickLine[], ops: readonly OutboxOp[]): string | null | undefined {
  const ids = new Set(lines.map((l) => l.id));
  const last = ops.filter((op) => op.name === PICKED && !isRejected(op) && ids.has(lineIdOf(op) ?? 0)).at(-1);
  return last === undefined ? undefined : stringField(last.payload["tote"]);
}

export interface PickListItem {
  readonly id: number;
  readonly reference: string;
  readonly priority: number;
  readonly lineCount: number;
  readonly openLines: number;
  readonly firstBin: string | null;
  readonly claim: Claim;
}

/**
 * The pick tasks a picker may work on: open ones and their own, most urgent first (higher
 * priority, then older). Tasks someone else holds are left out, except those this phone tried to
 * take and was refused: the picker is told why. Tasks this phone completed are gone.
 */
export async function loadPickList(db: CangkuDb, userId: number): Promise<PickListItem[]> {
  const ctx = await context(db);
  const claims = ctx.ops.filter((op) => op.name === CLAIMED);
  const completions = ctx.ops.filter((op) => op.name === COMPLETED);
  const items: PickListItem[] = [];
  for (const task of await db.getAll("task")) {
    if (task.kind !== "pick" || completedHere(task.id, completions)) continue;
    const claim = claimOf(task, userId, claims);
    const refused = claims.some((op) => taskIdOf(op) === task.id);
    if (claim.state === "taken" && !refused) continue;
    const lines = await pickLines(db, ctx, task.id);
    const open = lines.filter((l) => !isSettled(l));
    items.push({
      id: task.id,
      reference: task.reference,
      priority: task.priority,
      lineCount: lines.length,
      openLines: open.length,
      firstBin: open[0]?.locationCode ?? null,
      claim,
    });
  }
  return items.sort((a, b) => b.priority - a.priority || a.id - b.id);
}

export interface LoadedPick {
  readonly task: PickTask;
  readonly claim: Claim;
  /** This phone already asked to complete it. */
  readonly completed: boolean;
}

/** The task as the screen resumes it; null when it is not (or no longer) on the device. */
export async function loadPickTask(db: CangkuDb, taskId: number, userId: number): Promise<LoadedPick | null> {
  const row = await db.get("task", taskId);
  if (row === undefined || row.kind !== "pick") return null;
  const ctx = await context(db);
  const lines = await pickLines(db, ctx, taskId);
  return {
    task: {
      id: row.id,
      reference: row.reference,
      reason: row.reason,
      priority: row.priority,
      lines,
      tote: toteOf(lines, ctx.ops),
    },
    claim: claimOf(
      row,
      userId,
      ctx.ops.filter((op) => op.name === CLAIMED),
    ),
    completed: completedHere(
      taskId,
      ctx.ops.filter((op) => op.name === COMPLETED),
    ),
  };
}

/** The current answer to this phone's claim of the task (after a sync may have brought it). */
export async function claimNow(db: CangkuDb, taskId: number, userId: number): Promise<Claim | null> {
  const row = await db.get("task", taskId);
  if (row === undefined) return null;
  return claimOf(row, userId, await retainedOps(db, [CLAIMED]));
}
