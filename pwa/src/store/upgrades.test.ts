// The numbered upgrades: data written under schema v1 survives the upgrade to the latest version,
// and what later steps add (indexes, stores) works over the old rows.
import { describe, expect, test } from "vitest";
import { openCangkuDb } from "./open-db";
import type { OutboxOp } from "./records";
import { freshName } from "./test-support";
import { SCHEMA_VERSION, UPGRADES } from "./upgrades";

function op(seq: number): OutboxOp {
  return {
    seq,
    opId: `op-v1-${String(seq).padStart(4, "0")}`,
    name: "warehouse.item_moved",
    version: 1,
    payload: { sku_id: 17, from_location_id: 1, to_location_id: 2, qty: seq },
    hlc: `176448960${seq}000-0000-dev00001`,
    wallTime: "2026-11-30T08:00:00+00:00",
    status: seq === 1 ? "applied" : "pending",
    recordedAt: seq,
    sentAt: null,
    ackedAt: null,
    answer: null,
  };
}

describe("schema upgrades", () => {
  test("the version is the number of steps", async () => {
    const db = await openCangkuDb({ name: freshName() });
    expect(SCHEMA_VERSION).toBe(UPGRADES.length);
    expect(db.version).toBe(SCHEMA_VERSION);
    db.close();
  });

  test("v1 data is kept by the upgrade to the latest version, and new indexes cover it", async () => {
    const name = freshName("upgrade");
    const v1 = await openCangkuDb({ name, version: 1 });
    expect(v1.version).toBe(1);
    expect([...v1.objectStoreNames]).not.toContain("staged");
    const tx = v1.transaction(["outbox", "meta", "barcode", "level", "task_line"], "readwrite");
    for (const seq of [1, 2, 3]) await tx.objectStore("outbox").put(op(seq));
    await tx
      .objectStore("meta")
      .put({ name: "clock", value: { nextSeq: 4, lastStamp: "1764489603000-0000-dev00001" } });
    await tx.objectStore("barcode").put({ id: 5, code: "6901234567892", sku_id: 17, pack_qty: 12, kind: "ean13" });
    await tx
      .objectStore("level")
      .put({ key: "204:17:0", location_id: 204, sku_id: 17, lot_id: null, on_hand: 9, reserved: 0 });
    await tx.objectStore("task_line").put({
      id: 8,
      task_id: 3,
      line_no: 1,
      location_id: 204,
      sku_id: 17,
      lot_id: null,
      qty: 2,
      done_qty: 0,
      status: "open",
    });
    await tx.done;
    v1.close();

    const latest = await openCangkuDb({ name });
    expect(latest.version).toBe(SCHEMA_VERSION);
    expect((await latest.getAll("outbox")).map((o) => o.opId)).toEqual(["op-v1-0001", "op-v1-0002", "op-v1-0003"]);
    expect(await latest.get("meta", "clock")).toEqual({
      name: "clock",
      value: { nextSeq: 4, lastStamp: "1764489603000-0000-dev00001" },
    });
    // v2's indexes were built over the rows v1 stored.
    expect((await latest.getAllFromIndex("barcode", "by_sku", 17)).map((b) => b.code)).toEqual(["6901234567892"]);
    expect((await latest.getAllFromIndex("level", "by_location", 204)).map((l) => l.on_hand)).toEqual([9]);
    expect(await latest.getAllFromIndex("task_line", "by_task", 3)).toHaveLength(1);
    expect(await latest.count("staged")).toBe(0);
    latest.close();
  });

  test("each step only adds: every store and index of v1 is still there", async () => {
    const name = freshName("adds");
    const v1 = await openCangkuDb({ name, version: 1 });
    const before = new Map([...v1.objectStoreNames].map((s) => [s, [...v1.transaction(s).store.indexNames]]));
    v1.close();
    const latest = await openCangkuDb({ name });
    for (const [store, indexes] of before) {
      expect([...latest.objectStoreNames]).toContain(store);
      expect([...latest.transaction(store).store.indexNames]).toEqual(expect.arrayContaining(indexes));
    }
    latest.close();
  });
});
