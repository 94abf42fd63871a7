// Pull (SPEC.md §6) beyond the vectors: a reset replaces the synced rows but never the outbox,
// each page is one IndexedDB transaction with its cursor, an unreadable page changes nothing.
import { describe, expect, test, vi } from "vitest";
import type { JsonObject } from "../store/json";
import { readMeta } from "../store/meta";
import { opsWithStatus } from "../store/outbox";
import { answer, applyAll, moveOp, refusal, registeredClient, scripted } from "./test-support";
import type { PullRequest } from "./wire";

function page(fields: JsonObject): ReturnType<typeof answer> {
  return answer(200, { protocol: 1, server_time: "2026-11-30T08:00:00Z", ...fields });
}

const sku = (id: number, code: string): JsonObject => ({
  entity: "sku",
  key: String(id),
  op: "put",
  data: { code, active: true },
});
const level = (key: string, onHand: number): JsonObject => ({
  entity: "level",
  key,
  op: "put",
  data: {
    location_id: Number(key.split(":")[0]),
    sku_id: Number(key.split(":")[1]),
    lot_id: null,
    on_hand: onHand,
    reserved: 0,
  },
});

describe("pull", () => {
  test("pulls pages until has_more is false, sending each page's cursor back", async () => {
    const pages = [
      page({ cursor: "c1", changes: [sku(17, "A")], has_more: true }),
      page({ cursor: "c2", changes: [level("204:17:0", 5)], has_more: true }),
      page({ cursor: "c3", changes: [{ entity: "level", key: "204:17:0", op: "del" }], last_applied_seq: 0 }),
    ];
    const { transport, requests } = scripted((_, i) => pages[i] ?? refusal(500, "no more"));
    const { client } = await registeredClient(transport);
    expect(await client.pull()).toEqual({ kind: "done", pages: 3 });
    expect(requests.map((r) => (r.body as PullRequest).cursor)).toEqual([null, "c1", "c2"]);
    expect(requests[0]?.body).toEqual({
      protocol: 1,
      device_id: expect.any(String),
      warehouse_id: 1,
      cursor: null,
      limit: 1000,
      acked_seq: 0,
    });
    expect(await client.db.get("sku", 17)).toEqual({ id: 17, code: "A", active: true });
    expect(await client.db.get("level", "204:17:0")).toBeUndefined();
    expect((await readMeta(client.db, "feed")).cursor).toBe("c3");
  });

  test("each page is applied in ONE transaction, together with its cursor", async () => {
    const pages = [
      page({ cursor: "c1", changes: [sku(1, "A"), sku(2, "B"), level("9:1:0", 1)], has_more: true }),
      page({ cursor: "c2", changes: [sku(3, "C")] }),
    ];
    const { transport } = scripted((_, i) => pages[i] ?? refusal(500, "no more"));
    const { client } = await registeredClient(transport);
    const opened = vi.spyOn(IDBDatabase.prototype, "transaction");
    await client.pull();
    const writes = opened.mock.calls.filter(([stores, mode]) => mode === "readwrite" && [...stores].includes("level"));
    opened.mockRestore();
    expect(writes).toHaveLength(2); // one per page: rows, staging area and cursor together
    expect(writes.every(([stores]) => ["sku", "level", "meta"].every((s) => [...stores].includes(s)))).toBe(true);
  });

  test("a reset replaces the synced rows with the snapshot and leaves the outbox as it was", async () => {
    const queue = [page({ cursor: "c1", changes: [sku(1, "OLD"), level("9:1:0", 4)] })];
    const { transport } = scripted(() => queue.shift() ?? refusal(500, "no more"));
    const { client } = await registeredClient(transport);
    await client.pull();
    for (let i = 0; i < 3; i++) await client.enqueue(moveOp(i + 1));
    const outbox = await client.db.getAll("outbox");
    queue.push(
      page({ cursor: "s1", reset: true, snapshot: true, has_more: true, changes: [sku(2, "NEW")] }),
      page({ cursor: "s2", snapshot: true, snapshot_complete: true, has_more: true, changes: [level("9:2:0", 7)] }),
      page({ cursor: "c9" }),
    );
    expect(await client.pull()).toEqual({ kind: "done", pages: 3 });
    expect(await client.db.getAll("outbox")).toEqual(outbox);
    expect(await client.db.getAll("sku")).toEqual([{ id: 2, code: "NEW", active: true }]);
    expect((await client.db.getAll("level")).map((row) => row.key)).toEqual(["9:2:0"]);
    expect(await client.db.count("staged")).toBe(0);
    expect(client.state.get()).toMatchObject({ pending: 3, snapshotInProgress: false });
  });

  test("an unreadable page changes neither rows nor cursor", async () => {
    const pages = [
      page({ cursor: "c1", changes: [sku(1, "A")] }),
      page({ cursor: "c2", changes: [{ entity: "sku", key: "2", op: "upsert" }] }),
    ];
    const { transport } = scripted((_, i) => pages[i] ?? refusal(500, "no more"));
    const { client } = await registeredClient(transport);
    await client.pull();
    expect(await client.pull()).toMatchObject({ kind: "halted", error: { kind: "protocol" } });
    expect((await readMeta(client.db, "feed")).cursor).toBe("c1");
    expect(await client.db.count("sku")).toBe(1);
  });

  test("unknown entities are ignored, unknown fields kept (§6.3, §10.2)", async () => {
    const pages = [
      page({
        cursor: "c1",
        changes: [
          { entity: "pallet", key: "5", op: "put", data: { code: "P" } },
          { entity: "sku", key: "1", op: "put", data: { code: "A", colour: "red" } },
        ],
        some_new_field: 1,
      }),
    ];
    const { transport } = scripted((_, i) => pages[i] ?? refusal(500, "no more"));
    const { client } = await registeredClient(transport);
    expect((await client.pull()).kind).toBe("done");
    expect(await client.db.get("sku", 1)).toEqual({ id: 1, code: "A", colour: "red" });
  });

  test("resend_from queues the acknowledged ops again and the next push sends them (§9.5)", async () => {
    let step = 0;
    const { transport, requests } = scripted((request) => {
      if (request.path === "/api/sync/push") return applyAll(request);
      step += 1;
      return page({ cursor: `c${step}`, last_applied_seq: 1, ...(step === 1 ? { resend_from: 2 } : {}) });
    });
    const { client } = await registeredClient(transport);
    for (let i = 0; i < 3; i++) await client.enqueue(moveOp());
    await client.push();
    expect(await client.pull()).toEqual({ kind: "done", pages: 1 });
    expect((await opsWithStatus(client.db, "pending")).map((op) => op.seq)).toEqual([2, 3]);
    expect((await readMeta(client.db, "feed")).ackedSeq).toBe(1);
    const outcome = await client.sync();
    expect(outcome.push).toEqual({ kind: "done", sent: 2 });
    const pushes = requests
      .filter((r) => r.path === "/api/sync/push")
      .map((r) => (r.body as { ops: { seq: number }[] }).ops.map((op) => op.seq));
    expect(pushes).toEqual([
      [1, 2, 3],
      [2, 3],
    ]);
  });

  test("401 on pull halts pulling and pushing until a new token", async () => {
    const { transport } = scripted(() => refusal(401, "token_invalid"));
    const { client } = await registeredClient(transport);
    expect(await client.pull()).toMatchObject({ kind: "halted", error: { kind: "auth" } });
    await client.enqueue(moveOp());
    expect(await client.push()).toMatchObject({ kind: "halted", sent: 0 });
    expect(client.state.get().pending).toBe(1);
  });
});
