// What the pack check (复核) can know on the phone about a parcel before the server checks it.
//
// Orders are not on the phone, so what a parcel should hold is known only from picks: a tote
// this phone picked into (its task, remembered by the pick screen), or pick tasks still on the phone
// with the scanned reference. Otherwise the packer scans blind and the server compares (SPEC §7.2:
// a mismatch opens an exception). The answer to the last parcel sent is read back from the outbox.

import { readMeta } from "../../store/meta";
import type { SkuRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { isRejected, numberField, retainedOps, stringField } from "../common/outbox-ops";
import { taskOfTote, tasksWithReference } from "../common/pick-memory";
import { PICKED, SHORT, progressOf } from "../pick/pick-data";

export const VERIFIED = "packing.parcel_verified";

export interface ParcelContext {
  readonly reference: string;
  /** Sent with a tote: the server checks the tote against this task's picks. */
  readonly taskId: number | null;
  /** SKU → units picked for the parcel; null: not known here (a blind scan list). */
  readonly expected: ReadonlyMap<number, number> | null;
  readonly skus: ReadonlyMap<number, SkuRow | null>;
}

async function skuRows(db: CangkuDb, ids: Iterable<number>): Promise<Map<number, SkuRow | null>> {
  const rows = new Map<number, SkuRow | null>();
  for (const id of ids) rows.set(id, (await db.get("sku", id)) ?? null);
  return rows;
}

/** This phone's picks for the given lines, per SKU. */
async function pickedOn(db: CangkuDb, lineIds: ReadonlySet<number>): Promise<Map<number, number>> {
  const expected = new Map<number, number>();
  for (const op of await retainedOps(db, [PICKED])) {
    const lineId = numberField(op.payload["task_line_id"]);
    const skuId = numberField(op.payload["sku_id"]);
    const qty = numberField(op.payload["qty"]) ?? 0;
    if (isRejected(op) || lineId === null || skuId === null || !lineIds.has(lineId)) continue;
    expected.set(skuId, (expected.get(skuId) ?? 0) + qty);
  }
  return expected;
}

/** Picked so far on pick tasks still on the phone with this reference (store rows plus unsynced picks). */
async function pickedOnTasks(db: CangkuDb, reference: string): Promise<Map<number, number> | null> {
  const tasks = (await db.getAll("task")).filter((t) => t.kind === "pick" && t.reference === reference);
  if (tasks.length === 0) return null;
  const [ops, feed] = await Promise.all([retainedOps(db, [PICKED, SHORT]), readMeta(db, "feed")]);
  const expected = new Map<number, number>();
  for (const task of tasks) {
    for (const row of await db.getAllFromIndex("task_line", "by_task", task.id)) {
      const { done } = progressOf(row, ops, feed.serverAppliedSeq);
      if (done > 0) expected.set(row.sku_id, (expected.get(row.sku_id) ?? 0) + done);
    }
  }
  return expected;
}

/** What the phone knows of the parcel named by a scanned tote or reference. */
export async function parcelContext(db: CangkuDb, reference: string, isTote: boolean): Promise<ParcelContext> {
  let taskId: number | null = null;
  let expected: Map<number, number> | null = null;
  if (isTote) {
    const task = taskOfTote(reference);
    if (task !== null) {
      taskId = task.taskId;
      expected = await pickedOn(db, new Set(task.lineIds));
    }
  } else {
    expected = await pickedOnTasks(db, reference);
    if (expected === null) {
      const remembered = tasksWithReference(reference);
      if (remembered.length > 0) expected = await pickedOn(db, new Set(remembered.flatMap((t) => t.lineIds)));
    }
  }
  return { reference, taskId, expected, skus: await skuRows(db, expected?.keys() ?? []) };
}

export async function skuRow(db: CangkuDb, id: number): Promise<SkuRow | null> {
  return (await db.get("sku", id)) ?? null;
}

export type VerificationAnswer =
  | { readonly state: "waiting"; readonly reference: string }
  | { readonly state: "matched"; readonly reference: string; readonly packed: boolean }
  | { readonly state: "mismatch"; readonly reference: string }
  | { readonly state: "rejected"; readonly reference: string; readonly message: { en: string; zh: string } };

/** The server's word on the last parcel this phone sent (null: none sent). */
export async function lastVerification(db: CangkuDb): Promise<VerificationAnswer | null> {
  const last = (await retainedOps(db, [VERIFIED])).at(-1);
  if (last === undefined) return null;
  const reference = stringField(last.payload["reference"]) ?? "";
  const answer = last.answer;
  if (answer === null) return { state: "waiting", reference };
  if (isRejected(last)) {
    return { state: "rejected", reference, message: { en: answer.message, zh: answer.message_zh || answer.message } };
  }
  if (answer.status === "held" || answer.status === "unknown") return { state: "waiting", reference };
  if (answer.result["status"] === "matched") {
    return { state: "matched", reference, packed: answer.result["order_status"] === "packed" };
  }
  return { state: "mismatch", reference };
}
