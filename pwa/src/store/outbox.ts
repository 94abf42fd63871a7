// The outbox (SPEC.md §4, §5.8): ops in device order, keyed by `seq`. An op is numbered and
// stamped in the same transaction that stores it, so a crash can never leave a gap or a reused
// number; it keeps its `seq` and `op_id` for ever. Acknowledged ops stay as the retained log (for a
// server restored from a backup, §9.5) until pruned after 7 days.

import type { JsonObject } from "./json";
import { getMeta, putMeta } from "./meta";
import { isAcknowledged, type AnswerStatus, type OpAnswer, type OutboxOp, type OutboxStatus } from "./records";
import type { CangkuDb } from "./schema";

/** What the caller decides about a new op; `seq` and `hlc` are assigned by `recordOp`. */
export interface OpDraft {
  readonly opId: string;
  readonly name: string;
  readonly version: number;
  readonly payload: JsonObject;
  readonly wallTime: string;
  readonly recordedAt: number;
}

/** Issues the op's HLC stamp from the clock's last one; must not await (it runs inside the transaction). */
export type StampIssuer = (lastStamp: string | null) => { readonly hlc: string; readonly lastStamp: string | null };

/** Records an op, or returns the one already recorded under `opId` (`created` false). */
export async function recordOp(
  db: CangkuDb,
  draft: OpDraft,
  issue: StampIssuer,
): Promise<{ op: OutboxOp; created: boolean }> {
  const tx = db.transaction(["outbox", "meta"], "readwrite");
  const outbox = tx.objectStore("outbox");
  const existing = await outbox.index("by_op_id").get(draft.opId);
  if (existing !== undefined) {
    await tx.done;
    return { op: existing, created: false };
  }
  const meta = tx.objectStore("meta");
  const clock = await getMeta(meta, "clock");
  const { hlc, lastStamp } = issue(clock.lastStamp);
  const op: OutboxOp = {
    ...draft,
    seq: clock.nextSeq,
    hlc,
    status: "pending",
    sentAt: null,
    ackedAt: null,
    answer: null,
  };
  await outbox.add(op);
  await putMeta(meta, "clock", { nextSeq: op.seq + 1, lastStamp });
  await tx.done;
  return { op, created: true };
}

/** The oldest unacknowledged ops, consecutive in `seq`, at most `limit` (SPEC.md §5.1). */
export async function nextBatch(db: CangkuDb, limit: number): Promise<OutboxOp[]> {
  const tx = db.transaction("outbox");
  const byStatus = tx.store.index("by_status");
  const firsts = await Promise.all([byStatus.getKey("pending"), byStatus.getKey("sent")]);
  const starts = firsts.filter((seq): seq is number => seq !== undefined);
  const batch: OutboxOp[] = [];
  if (starts.length === 0) return batch;
  let cursor = await tx.store.openCursor(IDBKeyRange.lowerBound(Math.min(...starts)));
  while (cursor !== null && batch.length < limit) {
    const op = cursor.value;
    const previous = batch.at(-1);
    if (isAcknowledged(op.status) || (previous !== undefined && op.seq !== previous.seq + 1)) break;
    batch.push(op);
    cursor = await cursor.continue();
  }
  return batch;
}

/** Marks ops as sent before the request leaves: after a crash they are known to be in doubt. */
export async function markSent(db: CangkuDb, seqs: readonly number[], now: number): Promise<void> {
  const tx = db.transaction("outbox", "readwrite");
  for (const seq of seqs) {
    const op = await tx.store.get(seq);
    if (op !== undefined && !isAcknowledged(op.status)) await tx.store.put({ ...op, status: "sent", sentAt: now });
  }
  await tx.done;
}

export function outboxStatusOf(status: AnswerStatus): OutboxStatus {
  return status === "applied_with_exception" ? "excepted" : status;
}

export interface Acknowledgement {
  readonly seq: number;
  readonly opId: string;
  readonly answer: OpAnswer;
}

/** Stores the server's final answers and the push's `last_applied_seq`, in one transaction. */
export async function recordAnswers(
  db: CangkuDb,
  acks: readonly Acknowledgement[],
  lastAppliedSeq: number,
  now: number,
): Promise<void> {
  const tx = db.transaction(["outbox", "meta"], "readwrite");
  const outbox = tx.objectStore("outbox");
  for (const ack of acks) {
    const op = await outbox.get(ack.seq);
    if (op === undefined || op.opId !== ack.opId) {
      tx.abort();
      throw new Error(`answer for op ${ack.opId} (seq ${ack.seq}) does not match the outbox`);
    }
    await outbox.put({ ...op, status: outboxStatusOf(ack.answer.status), answer: ack.answer, ackedAt: now });
  }
  const meta = tx.objectStore("meta");
  await putMeta(meta, "feed", { ...(await getMeta(meta, "feed")), ackedSeq: lastAppliedSeq });
  await tx.done;
}

export interface Reopening {
  /** Ops put back in the queue. */
  readonly reopened: number;
  /** The lowest seq of the range the device no longer holds (pruned or never kept); null if none. */
  readonly missingFrom: number | null;
}

/**
 * Puts the acknowledged ops `fromSeq`…`toSeq` back in the queue because the server lost them
 * (SPEC.md §5.4, §6.2 `resend_from`, §9.5). `toSeq` defaults to the last seq issued. When part of
 * the range is gone from the retained log nothing is changed: a push could not start there.
 */
export async function reopenFrom(db: CangkuDb, fromSeq: number, toSeq?: number): Promise<Reopening> {
  const tx = db.transaction(["outbox", "meta"], "readwrite");
  const outbox = tx.objectStore("outbox");
  const last = toSeq ?? (await getMeta(tx.objectStore("meta"), "clock")).nextSeq - 1;
  if (last < fromSeq) {
    await tx.done;
    return { reopened: 0, missingFrom: null };
  }
  const held = await outbox.getAll(IDBKeyRange.bound(fromSeq, last));
  const missing = held.length === last - fromSeq + 1 ? null : firstMissing(held, fromSeq);
  let reopened = 0;
  if (missing === null) {
    for (const op of held) {
      if (!isAcknowledged(op.status)) continue;
      await outbox.put({ ...op, status: "pending", ackedAt: null });
      reopened++;
    }
  }
  await tx.done;
  return { reopened, missingFrom: missing };
}

function firstMissing(ops: readonly OutboxOp[], fromSeq: number): number {
  let expected = fromSeq;
  for (const op of ops) {
    if (op.seq !== expected) return expected;
    expected++;
  }
  return expected;
}

export async function countUnacknowledged(db: CangkuDb): Promise<number> {
  const index = db.transaction("outbox").store.index("by_status");
  const [pending, sent] = await Promise.all([index.count("pending"), index.count("sent")]);
  return pending + sent;
}

/**
 * Drops acknowledged ops older than `ackedBefore` from the front of the retained log, stopping at
 * the first op that must stay, so what is retained is always a gapless tail (SPEC.md §5.8).
 */
export async function pruneRetained(db: CangkuDb, ackedBefore: number): Promise<number> {
  const tx = db.transaction("outbox", "readwrite");
  let cursor = await tx.store.openCursor();
  let pruned = 0;
  while (cursor !== null) {
    const op = cursor.value;
    if (!isAcknowledged(op.status) || op.ackedAt === null || op.ackedAt >= ackedBefore) break;
    await cursor.delete();
    pruned++;
    cursor = await cursor.continue();
  }
  await tx.done;
  return pruned;
}

export async function opsWithStatus(db: CangkuDb, status: OutboxStatus): Promise<OutboxOp[]> {
  return db.getAllFromIndex("outbox", "by_status", status);
}

export async function opById(db: CangkuDb, opId: string): Promise<OutboxOp | undefined> {
  return db.getFromIndex("outbox", "by_op_id", opId);
}
