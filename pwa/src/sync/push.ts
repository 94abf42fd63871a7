// Push (SPEC.md §5): send the outbox from the oldest unacknowledged op in batches, in order, and
// store each op's final answer. Retries resend the same ops with the same ids (§5.8); a
// `sequence_gap` resends from the retained log (§5.4, §9.5); refusals that need a person stop the
// push with a typed error and keep every op (§5.8, §9).

import type { JsonValue } from "../store/json";
import { readMeta } from "../store/meta";
import { markSent, nextBatch, recordAnswers, reopenFrom } from "../store/outbox";
import type { OutboxOp } from "../store/records";
import { exchange, type SyncContext } from "./context";
import { DecodeError, decodeErrorBody, decodePushResponse } from "./decode";
import { errorFromBody, opsLostError, protocolError, type SyncError } from "./errors";
import { nodeOf } from "./hlc";
import { observeServerTime } from "./server-time";
import type { PushRequest, PushResponse, WireOp } from "./wire";

export const PUSH_PATH = "/api/sync/push";

export type PushOutcome =
  /** Nothing unacknowledged is left. */
  | { readonly kind: "done"; readonly sent: number }
  /** Transient failures used up this call's tries; try again after `retryInMs`. */
  | { readonly kind: "retry_later"; readonly sent: number; readonly error: SyncError; readonly retryInMs: number }
  /** Stopped until a person acts (see `SyncError.kind`). */
  | { readonly kind: "halted"; readonly sent: number; readonly error: SyncError };

export function toWire(op: OutboxOp): WireOp {
  return {
    op_id: op.opId,
    seq: op.seq,
    name: op.name,
    version: op.version,
    payload: op.payload,
    hlc: op.hlc,
    wall_time: op.wallTime,
  };
}

export function notRegistered(): SyncError {
  return {
    kind: "device",
    code: "device_not_registered",
    status: null,
    message: "this device is not registered yet",
    messageZh: "本设备尚未注册",
    detail: {},
  };
}

/** The answer, checked against the batch: one result per op, in order (§5.3). */
function readAnswer(batch: readonly OutboxOp[], body: JsonValue | null): PushResponse | SyncError {
  let answer: PushResponse;
  try {
    answer = decodePushResponse(body);
  } catch (error: unknown) {
    if (error instanceof DecodeError) return protocolError(error.message);
    throw error;
  }
  const matches =
    answer.results.length === batch.length &&
    answer.results.every((result, i) => result.op_id === batch[i]?.opId && result.seq === batch[i]?.seq);
  return matches ? answer : protocolError("the push answer's results do not match the ops sent");
}

export async function pushOutbox(ctx: SyncContext): Promise<PushOutcome> {
  const device = await readMeta(ctx.db, "device");
  if (device.deviceId === null || device.warehouseId === null) {
    return { kind: "halted", sent: 0, error: notRegistered() };
  }
  let sent = 0;
  let lastGapFrom: number | null = null;
  for (;;) {
    const batch = await nextBatch(ctx.db, ctx.settings.batchSize);
    const first = batch[0];
    if (first === undefined) return { kind: "done", sent };
    await markSent(
      ctx.db,
      batch.map((op) => op.seq),
      ctx.clock.now(),
    );
    const body: PushRequest = {
      protocol: ctx.settings.protocol,
      device_id: device.deviceId,
      warehouse_id: device.warehouseId,
      client_version: ctx.settings.clientVersion,
      ops: batch.map(toWire),
    };
    const request = { method: "POST", path: PUSH_PATH, body, token: device.token } as const;
    const result = await exchange(ctx, request, ctx.settings.maxAttempts);
    if (result.kind === "failed")
      return { kind: "retry_later", sent, error: result.error, retryInMs: result.retryInMs };
    const { response } = result;
    if (response.status === 200) {
      const answer = readAnswer(batch, response.body);
      if ("kind" in answer) return { kind: "halted", sent, error: answer };
      const acks = answer.results.map(({ op_id: opId, seq, ...rest }) => ({ seq, opId, answer: rest }));
      await recordAnswers(ctx.db, acks, answer.last_applied_seq, ctx.clock.now());
      await observeServerTime(ctx.db, ctx.clock, nodeOf(device.deviceId), answer.server_time);
      sent += batch.length;
      continue;
    }
    const error = errorFromBody(decodeErrorBody(response.status, response.body));
    if (error.code !== "sequence_gap") return { kind: "halted", sent, error };
    // §5.4: the server has applied less than this device was told (restored from a backup).
    const from = error.detail["resend_from"];
    if (
      typeof from !== "number" ||
      !Number.isSafeInteger(from) ||
      from < 1 ||
      from >= first.seq ||
      from === lastGapFrom
    ) {
      return { kind: "halted", sent, error: { ...error, kind: "protocol" } };
    }
    lastGapFrom = from;
    const reopening = await reopenFrom(ctx.db, from, first.seq - 1);
    if (reopening.missingFrom !== null) return { kind: "halted", sent, error: opsLostError(reopening.missingFrom) };
  }
}
