// What went wrong, typed for the UI (SPEC.md §8, §9). Transient kinds (`network`, `server`) are
// retried; every other kind stops pushing (and some pulling) until a person acts: log in again,
// update the app, register the device again, or call support. The outbox is never discarded.

import type { JsonObject } from "../store/json";
import type { ErrorBody } from "./wire";

export type SyncErrorKind =
  /** No answer (offline, timeout): retried with backoff. */
  | "network"
  /** 5xx or 429: retried with backoff (or `Retry-After`). */
  | "server"
  /** 401 token_missing / token_invalid: log in again, the outbox is kept (§9.3). */
  | "auth"
  /** 403 device_*: register the device or assign it to a warehouse (§3). */
  | "device"
  /** 426 protocol_unsupported / client_too_old: update the app (§10). */
  | "upgrade"
  /** 409 sequence_reused: the device's storage was wiped; register as a new device (§9.4). */
  | "lost_state"
  /** The server lost acknowledged ops this device no longer holds (§9.4, §9.5). */
  | "ops_lost"
  /** 422 malformed_batch / invalid_body, 409 op_id_conflict: a bug in this app (§5.8). */
  | "client_bug"
  /** An answer this client cannot read. */
  | "protocol";

export interface SyncError {
  readonly kind: SyncErrorKind;
  /** The server's `code` (§8), or this client's own for `network` / `protocol`. */
  readonly code: string;
  readonly status: number | null;
  readonly message: string;
  readonly messageZh: string;
  readonly detail: JsonObject;
}

export function isTransient(error: SyncError): boolean {
  return error.kind === "network" || error.kind === "server";
}

/** Whether the error also stops pulling (a push-only problem leaves the local data fresh). */
export function blocksPull(error: SyncError): boolean {
  return error.kind === "auth" || error.kind === "device" || error.kind === "upgrade";
}

export function networkError(message: string): SyncError {
  return { kind: "network", code: "network", status: null, message, messageZh: "网络不可用，稍后自动重试", detail: {} };
}

export function protocolError(message: string): SyncError {
  return {
    kind: "protocol",
    code: "unreadable_answer",
    status: null,
    message,
    messageZh: "服务器回复无法识别",
    detail: {},
  };
}

export function opsLostError(fromSeq: number): SyncError {
  return {
    kind: "ops_lost",
    code: "ops_lost",
    status: null,
    message: `the server lost acknowledged ops from #${fromSeq} that this device no longer holds`,
    messageZh: `服务器丢失了已确认的操作（自 #${fromSeq} 起），本机已无法重发`,
    detail: { from_seq: fromSeq },
  };
}

const CLIENT_BUGS = new Set(["malformed_batch", "invalid_body", "malformed_json", "op_id_conflict"]);

function kindOf(status: number, code: string): SyncErrorKind {
  if (status === 408 || status === 429 || status >= 500) return "server";
  if (status === 401) return "auth";
  if (status === 403) return "device";
  if (status === 426) return "upgrade";
  if (code === "sequence_reused") return "lost_state";
  if (CLIENT_BUGS.has(code) || status === 422) return "client_bug";
  return "protocol";
}

/** A refusal (any non-200 answer) as a typed error. */
export function errorFromBody(body: ErrorBody): SyncError {
  return {
    kind: kindOf(body.status, body.code),
    code: body.code === "" ? `http_${body.status}` : body.code,
    status: body.status,
    message: body.message,
    messageZh: body.message_zh,
    detail: body.field === null ? body.detail : { ...body.detail, field: body.field },
  };
}
