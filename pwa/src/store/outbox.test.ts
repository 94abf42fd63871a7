// The outbox (SPEC.md §4.2, §5.8): device order survives closing and reopening the database,
// numbering and the HLC go on where they stopped, the retained log stays a gapless tail.
import { describe, expect, test } from "vitest";
import { SyncClient } from "../sync/client";
import { applyAll, DEVICE_ID, moveOp, refusal, scripted } from "../sync/test-support";
import type { PushRequest } from "../sync/wire";
import { readMeta } from "./meta";
import { openCangkuDb } from "./open-db";
import { countUnacknowledged, nextBatch, pruneRetained, recordAnswers, reopenFrom } from "./outbox";
import { freshDb, freshName } from "./test-support";

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);

function clientOn(
  db: Awaited<ReturnType<typeof openCangkuDb>>,
  now: () => number,
  transport = scripted(() => refusal(500, "down")).transport,
): SyncClient {
  return new SyncClient({
    db,
    transport,
    clientVersion: "t",
    clock: { now, utcOffsetMinutes: () => 0 },
    sleep: async () => undefined,
  });
}

describe("outbox", () => {
  test("order, numbering and the clock survive closing and reopening the database", async () => {
    const name = freshName("reload");
    const first = await openCangkuDb({ name });
    const before = clientOn(first, () => T0);
    await before.setDevice({ deviceId: DEVICE_ID, token: "t", warehouseId: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await before.enqueue(moveOp(i + 1))).opId);
    first.close();

    const reopened = await openCangkuDb({ name });
    const { transport, requests } = scripted((request) => applyAll(request));
    const after = clientOn(reopened, () => T0 - 3_600_000, transport); // and the phone's clock went back an hour
    expect(await after.refresh()).toMatchObject({ pending: 5 });
    const sixth = await after.enqueue(moveOp(6));
    expect(sixth.seq).toBe(6);
    expect(sixth.hlc).toBe(`${T0}-0005-dev00001`); // after op 5's stamp, not an hour earlier
    expect(await after.push()).toEqual({ kind: "done", sent: 6 });
    const sent = (requests[0]?.body as PushRequest).ops;
    expect(sent.map((op) => [op.seq, op.op_id])).toEqual([...ids, sixth.opId].map((id, i) => [i + 1, id]));
    reopened.close();
  });

  test("a batch is the oldest unacknowledged run of consecutive seqs", async () => {
    const db = await freshDb();
    const client = clientOn(db, () => T0);
    await client.setDevice({ deviceId: DEVICE_ID, token: "t", warehouseId: 1 });
    for (let i = 0; i < 6; i++) await client.enqueue(moveOp());
    const answer = {
      status: "applied" as const,
      code: "",
      message: "",
      message_zh: "",
      result: {},
      exceptions: [],
      replayed: false,
    };
    const first = await db.get("outbox", 1);
    await recordAnswers(db, [{ seq: 1, opId: first?.opId ?? "", answer }], 1, T0);
    expect((await nextBatch(db, 3)).map((op) => op.seq)).toEqual([2, 3, 4]);
    await db.delete("outbox", 4); // a hole (never happens by enqueue)
    expect((await nextBatch(db, 10)).map((op) => op.seq)).toEqual([2, 3]);
    expect(await countUnacknowledged(db)).toBe(4);
    expect((await readMeta(db, "feed")).ackedSeq).toBe(1);
  });

  test("reopening ops the server lost needs all of them still retained", async () => {
    const db = await freshDb();
    const client = clientOn(db, () => T0, scripted((request) => applyAll(request)).transport);
    await client.setDevice({ deviceId: DEVICE_ID, token: "t", warehouseId: 1 });
    for (let i = 0; i < 4; i++) await client.enqueue(moveOp());
    await client.push();
    expect(await reopenFrom(db, 3)).toEqual({ reopened: 2, missingFrom: null });
    expect(await countUnacknowledged(db)).toBe(2);
    await db.delete("outbox", 2);
    expect(await reopenFrom(db, 1, 2)).toEqual({ reopened: 0, missingFrom: 2 });
    expect((await db.get("outbox", 1))?.status).toBe("applied"); // nothing changed
    expect(await reopenFrom(db, 9)).toEqual({ reopened: 0, missingFrom: null }); // never issued
  });

  test("pruning drops old acknowledged ops from the front only", async () => {
    const db = await freshDb();
    let now = T0;
    const client = clientOn(db, () => now, scripted((request) => applyAll(request)).transport);
    await client.setDevice({ deviceId: DEVICE_ID, token: "t", warehouseId: 1 });
    await client.enqueue(moveOp());
    await client.enqueue(moveOp());
    await client.push(); // acked at T0
    await client.enqueue(moveOp()); // stays pending
    now = T0 + 1000;
    await client.enqueue(moveOp());
    expect(await pruneRetained(db, T0 + 1)).toBe(2);
    expect(await db.getAllKeys("outbox")).toEqual([3, 4]);
    expect(await pruneRetained(db, T0 + 10_000)).toBe(0); // op 3 is not acknowledged: the tail stays
  });
});
