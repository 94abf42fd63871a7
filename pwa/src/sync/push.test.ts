// Push (SPEC.md §5) beyond the vectors: batching, halts that keep the outbox, answers that do not
// match, and recording ops (enqueue) idempotently.
import { describe, expect, test } from "vitest";
import { opsWithStatus } from "../store/outbox";
import { InvalidOpError, SyncClient } from "./client";
import { freshDb } from "../store/test-support";
import { DEVICE_ID, answer, applyAll, moveOp, refusal, registeredClient, scripted } from "./test-support";
import type { PushRequest } from "./wire";

function seqsOf(body: unknown): number[] {
  return (body as PushRequest).ops.map((op) => op.seq);
}

describe("enqueue", () => {
  test("numbers ops 1, 2, 3 and stamps them with the HLC and the local wall time", async () => {
    const { client, clock } = await registeredClient(scripted(() => refusal(500, "x")).transport);
    const first = await client.enqueue(moveOp());
    const second = await client.enqueue(moveOp());
    clock.now -= 60_000; // the phone's clock jumps back a minute
    const third = await client.enqueue(moveOp());
    expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);
    expect(first.hlc).toBe(`${clock.now + 60_000}-0000-dev00001`);
    expect(second.hlc).toBe(`${clock.now + 60_000}-0001-dev00001`);
    expect(third.hlc).toBe(`${clock.now + 60_000}-0002-dev00001`); // stamps never go back (§4.3)
    expect(first.wallTime).toBe("2026-11-30T16:00:00+08:00");
    expect(client.state.get().pending).toBe(3);
  });

  test("the same op_id twice records one op; with other content it is refused", async () => {
    const { client } = await registeredClient(scripted(() => refusal(500, "x")).transport);
    const op = moveOp(3);
    const once = await client.enqueue(op);
    const twice = await client.enqueue(op);
    expect(twice).toEqual(once);
    await expect(client.enqueue({ ...op, payload: { ...op.payload, qty: 4 } })).rejects.toBeInstanceOf(InvalidOpError);
    expect(await opsWithStatus(client.db, "pending")).toHaveLength(1);
  });

  test("ids come from crypto.randomUUID by default; malformed ops are refused before anything is stored", async () => {
    const { client } = await registeredClient(scripted(() => refusal(500, "x")).transport);
    const op = await client.enqueue({ name: "tasks.task_claimed", payload: { task_id: 9 } });
    expect(op.opId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(client.enqueue({ ...moveOp(), opId: "short" })).rejects.toBeInstanceOf(InvalidOpError);
    await expect(client.enqueue({ ...moveOp(), name: "" })).rejects.toBeInstanceOf(InvalidOpError);
    await expect(client.enqueue({ ...moveOp(), version: 0 })).rejects.toBeInstanceOf(InvalidOpError);
    expect(await opsWithStatus(client.db, "pending")).toHaveLength(1);
  });

  test("an unregistered device cannot record ops", async () => {
    const client = new SyncClient({
      db: await freshDb(),
      transport: scripted(() => refusal(500, "x")).transport,
      clientVersion: "t",
    });
    await expect(client.enqueue(moveOp())).rejects.toBeInstanceOf(InvalidOpError);
  });
});

describe("push", () => {
  test("sends the outbox in order, in batches of at most 100, with the request fields of §5.1", async () => {
    const { transport, requests } = scripted((request) => applyAll(request));
    const { client } = await registeredClient(transport);
    for (let i = 0; i < 230; i++) await client.enqueue(moveOp());
    const outcome = await client.push();
    expect(outcome).toEqual({ kind: "done", sent: 230 });
    expect(requests.map((r) => seqsOf(r.body).length)).toEqual([100, 100, 30]);
    expect(requests.flatMap((r) => seqsOf(r.body))).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    const body = requests[0]?.body as PushRequest;
    expect(Object.keys(body).sort()).toEqual(["client_version", "device_id", "ops", "protocol", "warehouse_id"]);
    expect(body).toMatchObject({ protocol: 1, device_id: DEVICE_ID, warehouse_id: 1, client_version: "test" });
    expect(Object.keys(body.ops[0] ?? {}).sort()).toEqual([
      "hlc",
      "name",
      "op_id",
      "payload",
      "seq",
      "version",
      "wall_time",
    ]);
    expect(requests[0]).toMatchObject({ method: "POST", path: "/api/sync/push", token: "token-1" });
    expect(client.state.get()).toMatchObject({ pending: 0, pushing: false, lastError: null });
    expect(client.state.get().lastSyncAt).not.toBeNull();
  });

  test("401 halts with an auth error and keeps every op; a new token resumes", async () => {
    let valid = false;
    const { transport, requests } = scripted((request) => (valid ? applyAll(request) : refusal(401, "token_invalid")));
    const { client } = await registeredClient(transport);
    await client.enqueue(moveOp());
    await client.enqueue(moveOp());
    const halted = await client.push();
    expect(halted).toMatchObject({ kind: "halted", error: { kind: "auth", code: "token_invalid" } });
    expect(client.state.get().halted?.kind).toBe("auth");
    expect((await opsWithStatus(client.db, "sent")).map((op) => op.seq)).toEqual([1, 2]);
    expect((await client.push()).kind).toBe("halted"); // nothing is sent while halted
    expect(requests).toHaveLength(1);
    valid = true;
    await client.setToken("token-2");
    expect(await client.push()).toEqual({ kind: "done", sent: 2 });
    expect(requests[1]?.token).toBe("token-2");
    expect(client.state.get().halted).toBeNull();
  });

  test("rejected, excepted and held answers are final: stored with the server's result", async () => {
    const { transport } = scripted((request) => {
      const ops = (request.body as PushRequest).ops;
      const statuses = ["rejected", "applied_with_exception", "held"];
      const results = ops.map((op, i) => ({
        op_id: op.op_id,
        seq: op.seq,
        status: statuses[i] ?? "applied",
        ...(i === 0 ? { code: "invalid_payload", message: "qty must be > 0", message_zh: "数量必须大于0" } : {}),
        ...(i === 1 ? { exceptions: [{ kind: "negative_stock", message: "bin negative", ref: { task_id: 31 } }] } : {}),
      }));
      return answer(200, { device_id: DEVICE_ID, last_applied_seq: 3, results, server_time: "2026-11-30T08:00:00Z" });
    });
    const { client } = await registeredClient(transport);
    for (let i = 0; i < 3; i++) await client.enqueue(moveOp());
    expect((await client.push()).kind).toBe("done");
    const [rejected] = await opsWithStatus(client.db, "rejected");
    const [excepted] = await opsWithStatus(client.db, "excepted");
    expect(rejected?.answer).toMatchObject({
      code: "invalid_payload",
      message_zh: "数量必须大于0",
      replayed: false,
      result: {},
    });
    expect(excepted?.answer?.exceptions).toEqual([
      { kind: "negative_stock", message: "bin negative", message_zh: "", ref: { task_id: 31 } },
    ]);
    expect(await opsWithStatus(client.db, "held")).toHaveLength(1);
    expect(client.state.get().pending).toBe(0);
  });

  test("an answer whose results do not match the ops sent acknowledges nothing", async () => {
    const { transport } = scripted(() =>
      answer(200, {
        device_id: DEVICE_ID,
        last_applied_seq: 1,
        results: [{ op_id: "someone-else", seq: 1, status: "applied" }],
        server_time: "",
      }),
    );
    const { client } = await registeredClient(transport);
    await client.enqueue(moveOp());
    expect(await client.push()).toMatchObject({ kind: "halted", error: { kind: "protocol" } });
    expect(await opsWithStatus(client.db, "sent")).toHaveLength(1);
  });

  test("a proxy's HTML page instead of JSON is a protocol error, not a crash", async () => {
    const { client } = await registeredClient(scripted(() => answer(200, null)).transport);
    await client.enqueue(moveOp());
    expect(await client.push()).toMatchObject({ kind: "halted", error: { kind: "protocol" } });
  });
});
