// Reads server responses into the wire types, strictly: a field of the wrong type is an error
// naming it, a missing field takes its default (SPEC.md §2: the server omits `false`, `null`, `0`,
// `""`, `[]`), and fields this client does not know are ignored (§10.2).

import { isJsonObject, type JsonObject, type JsonValue } from "../store/json";
import type { AnswerStatus, RaisedException } from "../store/records";
import type { Change, ErrorBody, OpResult, PullResponse, PushResponse } from "./wire";

/** A response this client cannot read (a server bug, a proxy's HTML page, a wrong URL). */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
}

const ANSWER_STATUSES: readonly AnswerStatus[] = ["applied", "applied_with_exception", "rejected", "held", "unknown"];

function object(value: JsonValue | undefined, path: string): JsonObject {
  if (!isJsonObject(value)) throw new DecodeError(`${path}: expected an object`);
  return value;
}

function int(obj: JsonObject, key: string, path: string): number {
  const value = obj[key] ?? 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new DecodeError(`${path}.${key}: expected an integer`);
  return value;
}

function optionalInt(obj: JsonObject, key: string, path: string): number | null {
  return obj[key] === undefined || obj[key] === null ? null : int(obj, key, path);
}

function text(obj: JsonObject, key: string, path: string): string {
  const value = obj[key] ?? "";
  if (typeof value !== "string") throw new DecodeError(`${path}.${key}: expected a string`);
  return value;
}

function optionalText(obj: JsonObject, key: string, path: string): string | null {
  return obj[key] === undefined || obj[key] === null ? null : text(obj, key, path);
}

function flag(obj: JsonObject, key: string, path: string): boolean {
  const value = obj[key] ?? false;
  if (typeof value !== "boolean") throw new DecodeError(`${path}.${key}: expected true or false`);
  return value;
}

function list(obj: JsonObject, key: string, path: string): JsonValue[] {
  const value = obj[key] ?? [];
  if (!Array.isArray(value)) throw new DecodeError(`${path}.${key}: expected a list`);
  return value;
}

function nested(obj: JsonObject, key: string, path: string): JsonObject {
  const value = obj[key] ?? {};
  return object(value, `${path}.${key}`);
}

function raised(value: JsonValue, path: string): RaisedException {
  const obj = object(value, path);
  return {
    kind: text(obj, "kind", path),
    message: text(obj, "message", path),
    message_zh: text(obj, "message_zh", path),
    ref: nested(obj, "ref", path),
  };
}

function opResult(value: JsonValue, path: string): OpResult {
  const obj = object(value, path);
  const status = text(obj, "status", path);
  if (!ANSWER_STATUSES.includes(status as AnswerStatus)) throw new DecodeError(`${path}.status: unknown ${status}`);
  return {
    op_id: text(obj, "op_id", path),
    seq: int(obj, "seq", path),
    status: status as AnswerStatus,
    code: text(obj, "code", path),
    message: text(obj, "message", path),
    message_zh: text(obj, "message_zh", path),
    result: nested(obj, "result", path),
    exceptions: list(obj, "exceptions", path).map((item, i) => raised(item, `${path}.exceptions[${i}]`)),
    replayed: flag(obj, "replayed", path),
  };
}

export function decodePushResponse(body: JsonValue | null): PushResponse {
  const obj = object(body ?? undefined, "push");
  return {
    protocol: int(obj, "protocol", "push"),
    device_id: text(obj, "device_id", "push"),
    last_applied_seq: int(obj, "last_applied_seq", "push"),
    results: list(obj, "results", "push").map((item, i) => opResult(item, `push.results[${i}]`)),
    server_time: text(obj, "server_time", "push"),
  };
}

function change(value: JsonValue, path: string): Change {
  const obj = object(value, path);
  const op = text(obj, "op", path);
  if (op !== "put" && op !== "del") throw new DecodeError(`${path}.op: expected put or del`);
  const data = obj["data"];
  if (data !== undefined && data !== null && !isJsonObject(data))
    throw new DecodeError(`${path}.data: expected an object`);
  return { entity: text(obj, "entity", path), key: text(obj, "key", path), op, data: data ?? null };
}

export function decodePullResponse(body: JsonValue | null): PullResponse {
  const obj = object(body ?? undefined, "pull");
  const cursor = text(obj, "cursor", "pull");
  if (cursor === "") throw new DecodeError("pull.cursor: missing");
  return {
    protocol: int(obj, "protocol", "pull"),
    cursor,
    changes: list(obj, "changes", "pull").map((item, i) => change(item, `pull.changes[${i}]`)),
    has_more: flag(obj, "has_more", "pull"),
    reset: flag(obj, "reset", "pull"),
    snapshot: flag(obj, "snapshot", "pull"),
    snapshot_complete: flag(obj, "snapshot_complete", "pull"),
    last_applied_seq: int(obj, "last_applied_seq", "pull"),
    resend_from: optionalInt(obj, "resend_from", "pull"),
    server_time: text(obj, "server_time", "pull"),
  };
}

/** The error body of a refusal; a body that is not one (a proxy's page) reads as an empty code. */
export function decodeErrorBody(status: number, body: JsonValue | null): ErrorBody {
  const obj = isJsonObject(body) ? body : {};
  const read = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch {
      return fallback;
    }
  };
  return {
    status,
    code: read(() => text(obj, "code", "error"), ""),
    message: read(() => text(obj, "message", "error"), ""),
    message_zh: read(() => text(obj, "message_zh", "error"), ""),
    field: read(() => optionalText(obj, "field", "error"), null),
    detail: read(() => nested(obj, "detail", "error"), {}),
  };
}
