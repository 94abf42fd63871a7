// Test helpers for the sync client: a registered client over a fresh fake-indexeddb database and
// a transport that answers from a function and records every request.
import type { JsonObject, JsonValue } from "../store/json";
import { freshDb } from "../store/test-support";
import { SyncClient, type SyncClientOptions } from "./client";
import type { Transport, TransportRequest, TransportResponse } from "./transport";
import type { PushRequest } from "./wire";

export const DEVICE_ID = "dev00001-0000-4000-8000-000000000001";

export type Handler = (request: TransportRequest, index: number) => TransportResponse | Error;

export interface Scripted {
  readonly transport: Transport;
  readonly requests: TransportRequest[];
}

/** A transport answering with `handler`; an `Error` it returns is thrown (no answer: a network error). */
export function scripted(handler: Handler): Scripted {
  const requests: TransportRequest[] = [];
  const transport: Transport = async (request) => {
    requests.push(structuredClone(request));
    const answer = handler(request, requests.length - 1);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { transport, requests };
}

export function answer(status: number, body: JsonValue | null, retryAfterMs: number | null = null): TransportResponse {
  return { status, body, retryAfterMs };
}

export function refusal(status: number, code: string, detail: JsonObject = {}): TransportResponse {
  return answer(status, { status, code, message: code, message_zh: code, detail });
}

/** A 200 push answer applying every op of the request. */
export function applyAll(request: TransportRequest, serverTime = "2026-11-30T08:00:00Z"): TransportResponse {
  const body = request.body as PushRequest;
  const results = body.ops.map((op) => ({ op_id: op.op_id, seq: op.seq, status: "applied" }));
  const last = body.ops.at(-1)?.seq ?? 0;
  return answer(200, {
    protocol: 1,
    device_id: body.device_id,
    last_applied_seq: last,
    results,
    server_time: serverTime,
  });
}

export interface TestClock {
  now: number;
}

export async function registeredClient(
  transport: Transport,
  options: Partial<SyncClientOptions> = {},
): Promise<{ client: SyncClient; clock: TestClock }> {
  const clock: TestClock = { now: Date.UTC(2026, 10, 30, 8, 0, 0) };
  const client = new SyncClient({
    db: options.db ?? (await freshDb()),
    transport,
    clientVersion: "test",
    clock: { now: () => clock.now, utcOffsetMinutes: () => 480 },
    random: () => 0.5,
    sleep: async () => undefined,
    ...options,
  });
  await client.setDevice({ deviceId: DEVICE_ID, token: "token-1", warehouseId: 1 });
  return { client, clock };
}

let opCounter = 0;

/** A move op with a fresh, valid op id. */
export function moveOp(qty = 1): { name: string; payload: JsonObject; opId: string } {
  opCounter += 1;
  return {
    name: "warehouse.item_moved",
    payload: { sku_id: 17, from_location_id: 1, to_location_id: 2, qty },
    opId: `test-op-${String(opCounter).padStart(6, "0")}`,
  };
}

/** Lets IndexedDB work (fake-indexeddb runs on setImmediate, which fake timers leave real) run until `done()`. */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!done()) throw new Error("condition never came true");
}
