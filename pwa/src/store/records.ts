// What the device keeps in IndexedDB: its slice of the warehouse (SPEC.md §6.3), the outbox of
// ops (§4, §5.8) and the sync bookkeeping (§3.3). Synced rows are stored as the server sends them
// (snake_case `data`, unknown fields kept: §6.3 "clients ignore unknown fields") plus their key, so
// a row read here is exactly the server's row; the field lists below are what SPEC.md promises.

import type { JsonObject } from "./json";

/** A catalog SKU (global scope). */
export interface SkuRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  unit: string;
  lot_controlled: boolean;
  expiry_controlled: boolean;
  is_kit: boolean;
  active: boolean;
}

/** A barcode printed on a SKU or a pack of it (`pack_qty` base units per scan). */
export interface BarcodeRow {
  id: number;
  code: string;
  sku_id: number;
  pack_qty: number;
  kind: string;
}

export interface LotRow {
  id: number;
  sku_id: number;
  lot_number: string;
  manufactured_on: string | null;
  expires_on: string | null;
}

/** A bin (or another location) of the device's warehouse. */
export interface LocationRow {
  id: number;
  code: string;
  barcode: string | null;
  type: string;
  zone_id: number | null;
  walking_sequence: number | null;
  frozen: boolean;
  active: boolean;
}

/** A stock level, keyed as SPEC.md §6.3 keys it: `location:sku:lot` with lot 0 for none. */
export interface LevelRow {
  key: string;
  location_id: number;
  sku_id: number;
  lot_id: number | null;
  on_hand: number;
  reserved: number;
}

/** An open or claimed task (finished ones are deleted from devices). */
export interface TaskRow {
  id: number;
  kind: string;
  status: string;
  reference: string;
  reason: string;
  priority: number;
  to_location_id: number | null;
  assignee_user_id: number | null;
  /** A blind count: do not show the expected quantity. */
  blind: boolean;
}

export interface TaskLineRow {
  id: number;
  task_id: number;
  line_no: number;
  location_id: number;
  sku_id: number;
  lot_id: number | null;
  qty: number;
  done_qty: number;
  status: string;
}

/** One row of a snapshot being staged (§6.2): applied to the live stores only when complete. */
export interface StagedRow {
  entity: string;
  key: string;
  data: JsonObject;
}

/**
 * Where an op stands. `pending` (never sent) and `sent` (sent, no final answer yet: a lost
 * response, a crash, a refusal) are unacknowledged and go out again; the others are the server's
 * final answers (§5.3), kept as the retained log for 7 days (§5.8).
 */
export type OutboxStatus = "pending" | "sent" | "applied" | "excepted" | "rejected" | "held" | "unknown";

export const UNACKNOWLEDGED: readonly OutboxStatus[] = ["pending", "sent"];

export function isAcknowledged(status: OutboxStatus): boolean {
  return !UNACKNOWLEDGED.includes(status);
}

/** The wire statuses of an op's result (§5.3). */
export type AnswerStatus = "applied" | "applied_with_exception" | "rejected" | "held" | "unknown";

/** A follow-up the server opened because of an op (a count task, a put-back, a clock flag). */
export interface RaisedException {
  kind: string;
  message: string;
  message_zh: string;
  ref: JsonObject;
}

/** The server's answer to one op, as received (§5.3), shown to the user for rejections and exceptions. */
export interface OpAnswer {
  status: AnswerStatus;
  code: string;
  message: string;
  message_zh: string;
  result: JsonObject;
  exceptions: RaisedException[];
  replayed: boolean;
}

/** One recorded op (§4.1). `seq` is the key: the outbox is in device order. */
export interface OutboxOp {
  seq: number;
  opId: string;
  name: string;
  version: number;
  payload: JsonObject;
  hlc: string;
  wallTime: string;
  status: OutboxStatus;
  /** Device clock (ms) when recorded, sent last, acknowledged. */
  recordedAt: number;
  sentAt: number | null;
  ackedAt: number | null;
  answer: OpAnswer | null;
}

/** Who the device is (§3): set at registration / login. */
export interface DeviceMeta {
  deviceId: string | null;
  token: string | null;
  /** The warehouse the device believes it works in; sent with every push and pull. */
  warehouseId: number | null;
}

/** Numbering and clock (§4.2, §4.3): changed only together with the outbox. */
export interface ClockMeta {
  nextSeq: number;
  /** The last HLC stamp issued or merged; the clock continues from it after a restart. */
  lastStamp: string | null;
}

/** The pull side (§6) and the last known acknowledgement (§5.3, §6.1 `acked_seq`). */
export interface FeedMeta {
  cursor: string | null;
  /** A snapshot is being staged (pages arrive in `staged` until `snapshot_complete`). */
  staging: boolean;
  /** `last_applied_seq` of the latest push answer: sent as `acked_seq`. */
  ackedSeq: number;
  /** `last_applied_seq` of the latest pull page. */
  serverAppliedSeq: number;
  /** Device clock (ms) of the last push or pull that went to the end. */
  lastSyncAt: number | null;
  /** The protocol version the cursor was issued under. */
  protocol: number;
}

export interface MetaValues {
  device: DeviceMeta;
  clock: ClockMeta;
  feed: FeedMeta;
}

export type MetaName = keyof MetaValues;

/** A row of the `meta` store: one record per name, so writers of different parts never collide. */
export type MetaRecord = { [N in MetaName]: { name: N; value: MetaValues[N] } }[MetaName];
