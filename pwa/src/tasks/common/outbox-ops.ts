// Reading this device's own ops back out of the outbox (pending, sent, and the 7-day retained log of
// answered ones). Task screens derive where a person stands from them: what the store does not show
// yet (ops not synced, or answered before the next pull brought the rows) is still in here.

import type { JsonValue } from "../../store/json";
import type { OutboxOp } from "../../store/records";
import type { CangkuDb } from "../../store/schema";

/** Every retained op with one of `names`, oldest first. */
export async function retainedOps(db: CangkuDb, names: readonly string[]): Promise<OutboxOp[]> {
  const all = await db.getAll("outbox");
  return all.filter((op) => names.includes(op.name)).sort((a, b) => a.seq - b.seq);
}

export function numberField(value: JsonValue | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function stringField(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

/** The server refused it: it changed nothing and never will (§5.3). */
export function isRejected(op: OutboxOp): boolean {
  return op.status === "rejected";
}

/** Answered as applied (with or without exceptions, or applied with its record lost). */
export function isApplied(op: OutboxOp): boolean {
  return op.status === "applied" || op.status === "excepted" || op.status === "unknown";
}
