// The wire types of sync protocol 1 (sync/SPEC.md §4–§8), field names exactly as on the wire.
// Requests are `type`s (not interfaces) so they are plain JSON objects to the transport. Responses
// are read through `decode.ts`, which fills in the fields the server omits (§2).

import type { JsonObject } from "../store/json";
import type { OpAnswer } from "../store/records";

export const PROTOCOL_VERSION = 1;
/** §5.1: at most 500 per push; send ≤ 100 in normal operation. */
export const MAX_OPS_PER_PUSH = 500;
export const PUSH_BATCH_SIZE = 100;
/** §6.1: `limit` ≤ 1000. */
export const MAX_PULL_LIMIT = 1000;

/** §4.1. */
export type WireOp = {
  op_id: string;
  seq: number;
  name: string;
  version: number;
  payload: JsonObject;
  hlc: string;
  wall_time: string;
};

/** §5.1. */
export type PushRequest = {
  protocol: number;
  device_id: string;
  warehouse_id: number;
  client_version: string;
  ops: WireOp[];
};

/** §5.3: one per op, in request order. */
export interface OpResult extends OpAnswer {
  op_id: string;
  seq: number;
}

export interface PushResponse {
  protocol: number;
  device_id: string;
  last_applied_seq: number;
  results: OpResult[];
  server_time: string;
}

/** §6.1. */
export type PullRequest = {
  protocol: number;
  device_id: string;
  warehouse_id: number;
  cursor: string | null;
  limit: number;
  acked_seq: number;
};

export interface Change {
  entity: string;
  key: string;
  op: "put" | "del";
  data: JsonObject | null;
}

/** §6.2. */
export interface PullResponse {
  protocol: number;
  cursor: string;
  changes: Change[];
  has_more: boolean;
  reset: boolean;
  snapshot: boolean;
  snapshot_complete: boolean;
  last_applied_seq: number;
  resend_from: number | null;
  server_time: string;
}

/** §8: the body of every refusal. */
export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  message_zh: string;
  field: string | null;
  detail: JsonObject;
}
