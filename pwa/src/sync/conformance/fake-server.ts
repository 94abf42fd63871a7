// A fake sync server that replays a vector's expected answers (sync/vectors/README.md: "the PWA's
// tests run against a fake server that replays the expected answers"). It is given, step by step,
// the exact request the vector's device sends; a client request that differs is recorded as a
// problem and refused (418), so a wrong request can never pass silently. Answers are built from the
// expectations the way the real server writes them: defaults omitted (SPEC.md §2), snapshot pages
// always `has_more` until the change page after them (sync/pull.py).

import { isJsonObject, sameJson, type JsonObject, type JsonValue } from "../../store/json";
import { PULL_PATH } from "../pull";
import { PUSH_PATH } from "../push";
import { NetworkError, type Transport, type TransportResponse } from "../transport";
import type { Change, PullRequest, PushRequest, WireOp } from "../wire";
import type { FakeWorld, WorldRow } from "./fake-world";
import type { Matcher } from "./matcher";

export interface FakeDevice {
  readonly ref: string;
  readonly id: string;
  readonly token: string;
  /** The warehouse the server has the device in (`move_device` changes it). */
  warehouseId: number;
  /** The server's `last_applied_seq` for the device. */
  lastApplied: number;
  /** The device's clock: the fake server's clock agrees with it (see runner.ts on HLC merges). */
  readonly now: () => number;
}

/** One push the client must send, and what the server answers. */
export interface PushLink {
  /** The vector step (−1: the device's history before the vector). */
  readonly step: number;
  readonly device: FakeDevice;
  readonly expected: PushRequest;
  readonly expect: JsonObject;
  /** The answer is lost on the way back after the server committed (vector F1): a network error. */
  readonly lose: boolean;
}

export interface PullPlan {
  readonly step: number;
  readonly device: FakeDevice;
  readonly firstCursor: string | null;
  readonly limit: number;
  readonly ackedSeq: number;
  readonly warehouseId: number;
  /** Requests the vector's device makes (README §4.3 `pages`); one more is cut off. */
  readonly budget: number;
  readonly expect: JsonObject;
}

export interface ServedPage {
  readonly cursor: string;
  readonly reset: boolean;
  readonly snapshot: boolean;
  readonly snapshotComplete: boolean;
  readonly hasMore: boolean;
  readonly resendFrom: number | null;
  readonly lastApplied: number;
}

interface PullState {
  readonly plan: PullPlan;
  readonly served: ServedPage[];
  readonly queue: Change[];
  nextCursor: string | null;
  interrupted: boolean;
}

const SNAPSHOT_CURSOR = /^fake\.s\.(\d+)\.(\d+)$/;
const CHANGE_CURSOR = /^fake\.c\.(\d+)\.(\d+)$/;

function field(obj: JsonObject | undefined, key: string): JsonValue | undefined {
  return obj === undefined ? undefined : obj[key];
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class FakeServer {
  readonly problems: string[] = [];
  readonly #world: FakeWorld;
  readonly #matcher: Matcher;
  #pushes: PushLink[] = [];
  #pull: PullState | null = null;
  readonly #snapshots = new Map<number, WorldRow[]>();
  #nextSnapshot = 1;
  #nextChange = 1;

  constructor(world: FakeWorld, matcher: Matcher) {
    this.#world = world;
    this.#matcher = matcher;
  }

  get world(): FakeWorld {
    return this.#world;
  }

  /** The pushes the client is to make next, in order. */
  expectPushes(links: readonly PushLink[]): void {
    this.#pushes = [...links];
  }

  unsentPushes(): readonly PushLink[] {
    return this.#pushes;
  }

  /** The pull the client is to make next: overlays the world with the step's expectations first. */
  expectPull(plan: PullPlan): void {
    const scope = plan.device.warehouseId;
    const expected = objects(field(plan.expect, "changes"));
    for (const change of expected)
      this.#overlay(
        String(change["entity"]),
        this.#matcher.key(change["key"] ?? ""),
        change["op"] === "del" ? null : (change["data"] ?? {}),
        scope,
      );
    const store = field(plan.expect, "store");
    for (const [name, row] of Object.entries(isJsonObject(store) ? store : {})) {
      const [entity = "", ...rest] = this.#matcher.key(name).split(":");
      this.#overlay(entity, rest.join(":"), row, scope);
    }
    const queue = expected.map((change): Change => {
      const entity = String(change["entity"]);
      const key = this.#matcher.key(change["key"] ?? "");
      if (change["op"] === "del") return { entity, key, op: "del", data: null };
      return { entity, key, op: "put", data: this.#world.get(entity, key)?.data ?? {} };
    });
    this.#pull = { plan, served: [], queue, nextCursor: plan.firstCursor, interrupted: false };
  }

  /** What the pull served: its pages, and whether the device was cut off after `budget` pages. */
  finishPull(): { readonly pages: readonly ServedPage[]; readonly interrupted: boolean } {
    const state = this.#pull;
    this.#pull = null;
    return { pages: state?.served ?? [], interrupted: state?.interrupted ?? false };
  }

  /** The transport one device's client uses. */
  transport(device: FakeDevice): Transport {
    return async (request) => {
      if (request.token !== device.token)
        this.problems.push(`${device.ref} sent token ${request.token}, not ${device.token}`);
      if (request.method === "POST" && request.path === PUSH_PATH) return this.#onPush(device, request.body);
      if (request.method === "POST" && request.path === PULL_PATH) return this.#onPull(device, request.body);
      return this.#mismatch(`${device.ref}: unexpected ${request.method} ${request.path}`);
    };
  }

  #mismatch(problem: string): TransportResponse {
    this.problems.push(problem);
    return { status: 418, body: { status: 418, code: "harness_mismatch", message: problem }, retryAfterMs: null };
  }

  #onPush(device: FakeDevice, body: JsonValue | null): TransportResponse {
    const link = this.#pushes.shift();
    if (link === undefined || link.device !== device) {
      return this.#mismatch(`${device.ref} pushed when the vector has no push here: ${JSON.stringify(body)}`);
    }
    if (body === null || !sameJson(body, link.expected)) {
      return this.#mismatch(
        `step ${link.step}: ${device.ref} pushed\n    ${JSON.stringify(body)}\n  the vector's device pushes\n    ${JSON.stringify(link.expected)}`,
      );
    }
    const answer = this.#pushAnswer(link);
    if (link.lose) throw new NetworkError("the answer was lost after the server committed (F1)");
    return answer;
  }

  #pushAnswer(link: PushLink): TransportResponse {
    const { device, expect } = link;
    const status = field(expect, "status") ?? 200;
    const ops = link.expected.ops;
    if (status === 200) {
      const stated = field(expect, "last_applied_seq");
      const lastApplied =
        typeof stated === "number" ? stated : Math.max(device.lastApplied, ...ops.map((op) => op.seq));
      device.lastApplied = lastApplied;
      const results = objects(field(expect, "results"));
      return {
        status: 200,
        body: {
          protocol: 1,
          device_id: device.id,
          last_applied_seq: lastApplied,
          results: ops.map((op, i) => this.#result(op, results[i])),
          server_time: iso(device.now()),
        },
        retryAfterMs: null,
      };
    }
    const code = String(field(expect, "code") ?? "");
    const detail = this.#matcher.concreteObject(field(expect, "detail"));
    const applied = detail["last_applied_seq"];
    if (code === "sequence_gap" && typeof applied === "number") device.lastApplied = applied;
    return {
      status: Number(status),
      body: { status, code, message: `(vector) ${code}`, message_zh: `（向量）${code}`, detail },
      retryAfterMs: null,
    };
  }

  /** One op's result as the server writes it (README §5.1 defaults omitted). */
  #result(op: WireOp, expected: JsonObject | undefined): JsonObject {
    const entry: JsonObject = { op_id: op.op_id, seq: op.seq, status: field(expected, "status") ?? "applied" };
    const code = field(expected, "code");
    if (typeof code === "string" && code !== "") {
      entry["code"] = code;
      entry["message"] = `(vector) ${code}`;
      entry["message_zh"] = `（向量）${code}`;
    }
    if (field(expected, "replayed") === true) entry["replayed"] = true;
    const result = this.#matcher.concreteObject(field(expected, "result"));
    if (Object.keys(result).length > 0) entry["result"] = result;
    const raised = objects(field(expected, "exceptions")).map((exception) => ({
      kind: exception["kind"] ?? "",
      message: `(vector) ${String(exception["kind"])}`,
      message_zh: `（向量）${String(exception["kind"])}`,
      ref: this.#matcher.concreteObject(exception["ref"]),
    }));
    if (raised.length > 0) entry["exceptions"] = raised;
    return entry;
  }

  #overlay(entity: string, key: string, row: JsonValue, scope: number): void {
    const held = this.#world.get(entity, key);
    if (row === null) {
      if (held !== undefined && (held.scope === "global" || held.scope === scope)) this.#world.delete(entity, key);
      return;
    }
    const global = entity === "sku" || entity === "barcode" || entity === "lot";
    this.#world.put(entity, key, this.#matcher.concreteObject(row), global ? "global" : scope);
  }

  #onPull(device: FakeDevice, body: JsonValue | null): TransportResponse {
    const state = this.#pull;
    if (state === null || state.plan.device !== device) {
      return this.#mismatch(`${device.ref} pulled when the vector has no pull here: ${JSON.stringify(body)}`);
    }
    const { plan } = state;
    if (state.served.length >= plan.budget) {
      state.interrupted = true;
      throw new NetworkError(`the vector's device stops after ${plan.budget} page(s) here`);
    }
    const expected: PullRequest = {
      protocol: 1,
      device_id: device.id,
      warehouse_id: plan.warehouseId,
      cursor: state.nextCursor,
      limit: plan.limit,
      acked_seq: plan.ackedSeq,
    };
    if (body === null || !sameJson(body, expected)) {
      return this.#mismatch(
        `step ${plan.step}: ${device.ref} pulled\n    ${JSON.stringify(body)}\n  the vector's device pulls\n    ${JSON.stringify(expected)}`,
      );
    }
    const status = field(plan.expect, "status") ?? 200;
    if (status !== 200) {
      const code = String(field(plan.expect, "code") ?? "");
      return {
        status: Number(status),
        body: { status, code, message: `(vector) ${code}`, message_zh: `（向量）${code}` },
        retryAfterMs: null,
      };
    }
    const { page, body: answer } = this.#page(state, state.nextCursor);
    state.served.push(page);
    state.nextCursor = page.cursor;
    return { status: 200, body: answer, retryAfterMs: null };
  }

  #page(state: PullState, cursor: string | null): { page: ServedPage; body: JsonObject } {
    const { device, limit, ackedSeq } = state.plan;
    const warehouse = device.warehouseId;
    const snapshot = cursor === null ? null : SNAPSHOT_CURSOR.exec(cursor);
    const change = cursor === null ? null : CHANGE_CURSOR.exec(cursor);
    let session = snapshot === null ? null : { id: Number(snapshot[1]), offset: Number(snapshot[2]) };
    let reset =
      (session === null || !this.#snapshots.has(session.id)) && (change === null || Number(change[1]) !== warehouse);
    // A reset for a reason the fake cannot see (a restore from a backup) is taken from the vector.
    if (state.served.length === 0 && field(state.plan.expect, "reset") === true) reset = true;
    if (reset) {
      session = { id: this.#nextSnapshot++, offset: 0 };
      this.#snapshots.set(session.id, this.#world.snapshot(warehouse));
    }
    const resendFrom = ackedSeq > device.lastApplied ? device.lastApplied + 1 : null;
    const common: JsonObject = { protocol: 1, last_applied_seq: device.lastApplied, server_time: iso(device.now()) };
    if (resendFrom !== null) common["resend_from"] = resendFrom;
    if (session !== null) {
      const rows = this.#snapshots.get(session.id) ?? [];
      const slice = rows.slice(session.offset, session.offset + limit);
      const next = session.offset + slice.length;
      const complete = next >= rows.length;
      const nextCursor = complete ? `fake.c.${warehouse}.${this.#nextChange++}` : `fake.s.${session.id}.${next}`;
      const body: JsonObject = {
        ...common,
        cursor: nextCursor,
        changes: slice.map((row) => ({ entity: row.entity, key: row.key, op: "put", data: row.data })),
        has_more: true,
        snapshot: true,
        ...(reset ? { reset: true } : {}),
        ...(complete ? { snapshot_complete: true } : {}),
      };
      return {
        page: {
          cursor: nextCursor,
          reset,
          snapshot: true,
          snapshotComplete: complete,
          hasMore: true,
          resendFrom,
          lastApplied: device.lastApplied,
        },
        body,
      };
    }
    const changes = state.queue.splice(0, limit);
    const hasMore = state.queue.length > 0;
    const nextCursor = `fake.c.${warehouse}.${this.#nextChange++}`;
    const body: JsonObject = {
      ...common,
      cursor: nextCursor,
      changes: changes.map((c) =>
        c.op === "del" ? { entity: c.entity, key: c.key, op: "del" } : { ...c, data: c.data ?? {} },
      ),
      ...(hasMore ? { has_more: true } : {}),
    };
    return {
      page: {
        cursor: nextCursor,
        reset: false,
        snapshot: false,
        snapshotComplete: false,
        hasMore,
        resendFrom,
        lastApplied: device.lastApplied,
      },
      body,
    };
  }
}
