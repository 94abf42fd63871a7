// The shape of a sync conformance vector (sync/vectors/README.md), as far as a client runner reads
// it. The files are checked for typos by the server's format check (tests/sync_vectors.py), so
// loading them here is a plain JSON parse.

import { readFileSync, readdirSync } from "node:fs";
import type { JsonObject, JsonValue } from "../../store/json";

export interface Vector {
  readonly name: string;
  readonly description: string;
  readonly spec: readonly string[];
  readonly faults?: readonly string[];
  readonly setup: Setup;
  readonly steps: readonly Step[];
  readonly final?: JsonObject;
}

export interface Setup {
  readonly warehouses: readonly { readonly ref: string }[];
  readonly bins?: readonly {
    readonly ref: string;
    readonly warehouse: string;
    readonly type?: string;
    readonly frozen?: boolean;
  }[];
  readonly skus?: readonly { readonly ref: string; readonly lot_controlled?: boolean }[];
  readonly stock?: readonly { readonly bin: string; readonly sku: string; readonly qty: number }[];
  readonly tasks?: readonly TaskSetup[];
  readonly purchase_orders?: readonly { readonly ref: string; readonly warehouse: string }[];
  readonly devices: readonly { readonly ref: string; readonly warehouse: string; readonly role?: string }[];
}

export interface TaskSetup {
  readonly ref: string;
  readonly warehouse: string;
  readonly kind: string;
  readonly lines: readonly { readonly ref: string; readonly bin: string; readonly sku: string; readonly qty: number }[];
  readonly status?: string;
  readonly to?: string;
  readonly reference?: string;
}

export interface NewOpSpec {
  readonly op_id: string;
  readonly seq: number;
  readonly name: string;
  readonly version: number;
  readonly payload: JsonObject;
  readonly at: string;
  readonly hlc?: string;
}

export interface RepeatOpSpec {
  readonly repeat: string;
  readonly seq?: number;
  readonly name?: string;
  readonly version?: number;
  readonly payload?: JsonObject;
  readonly hlc?: string;
  readonly wall_time?: string;
}

export type OpSpec = NewOpSpec | RepeatOpSpec;

export interface PushStep {
  readonly device: string;
  readonly push: {
    readonly ops: readonly OpSpec[];
    readonly protocol?: number;
    readonly warehouse_id?: JsonValue;
    readonly client_version?: string;
  };
  readonly expect?: JsonObject;
  readonly note?: string;
}

export interface PullStep {
  readonly device: string;
  readonly pull: {
    readonly cursor?: string | null;
    readonly acked_seq?: number;
    readonly limit?: number;
    readonly warehouse_id?: JsonValue;
    readonly pages?: number | "all";
  };
  readonly expect?: JsonObject;
  readonly note?: string;
}

export interface ActionStep {
  readonly action: "cancel_task" | "revoke_device" | "move_device";
  readonly task?: string;
  readonly device?: string;
  readonly warehouse?: string;
  readonly note?: string;
}

export type Step = PushStep | PullStep | ActionStep;

export function isPush(step: Step): step is PushStep {
  return "push" in step;
}

export function isPull(step: Step): step is PullStep {
  return "pull" in step;
}

export function isRepeat(op: OpSpec): op is RepeatOpSpec {
  return "repeat" in op;
}

/** README §4.3: `pages` 1 (default), n, or "all" (at most 20). */
export function pageBudget(pages: number | "all" | undefined): number {
  return pages === "all" ? 20 : (pages ?? 1);
}

const VECTOR_DIR = new URL("../../../../sync/vectors/", import.meta.url);

/** Every vector file, by name order (the same files the server's tests run). */
export function loadVectors(): Vector[] {
  return readdirSync(VECTOR_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => JSON.parse(readFileSync(new URL(file, VECTOR_DIR), "utf-8")) as Vector);
}
