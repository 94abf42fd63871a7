// Pull pages into the store (SPEC.md §6.2): snapshots are staged until complete, a page applied
// twice gives the same state, an abandoned snapshot is dropped.
import { describe, expect, test } from "vitest";
import { applyPullPage, discardCursor, type PullPage } from "./apply-page";
import { readMeta } from "./meta";
import { freshDb } from "./test-support";

function page(fields: Partial<PullPage>): PullPage {
  return {
    cursor: "c",
    changes: [],
    reset: false,
    snapshot: false,
    snapshotComplete: false,
    serverAppliedSeq: 0,
    protocol: 1,
    ...fields,
  };
}

const put = (entity: string, key: string, data: Record<string, number | string | null> = {}) => ({
  entity,
  key,
  op: "put" as const,
  data,
});

describe("applying pull pages", () => {
  test("snapshot pages stay out of the live rows until the snapshot is complete", async () => {
    const db = await freshDb();
    await applyPullPage(db, page({ cursor: "c0", changes: [put("sku", "1", { code: "OLD" })] }));
    const first = await applyPullPage(
      db,
      page({ cursor: "s1", reset: true, snapshot: true, changes: [put("sku", "2", { code: "NEW" })] }),
    );
    expect(first).toEqual({ staged: true, promoted: false, ignored: 0 });
    expect((await db.getAll("sku")).map((s) => s.code)).toEqual(["OLD"]);
    expect(await readMeta(db, "feed")).toMatchObject({ cursor: "s1", staging: true });
    const last = await applyPullPage(
      db,
      page({ cursor: "c2", snapshot: true, snapshotComplete: true, changes: [put("location", "7", { code: "A-01" })] }),
    );
    expect(last.promoted).toBe(true);
    expect((await db.getAll("sku")).map((s) => s.code)).toEqual(["NEW"]);
    expect((await db.get("location", 7))?.code).toBe("A-01");
    expect(await readMeta(db, "feed")).toMatchObject({ cursor: "c2", staging: false });
  });

  test("a page applied twice gives the same state (I13)", async () => {
    const db = await freshDb();
    const changes = [
      put("level", "204:17:0", { on_hand: 3 }),
      { entity: "level", key: "205:17:0", op: "del" as const, data: null },
    ];
    await applyPullPage(db, page({ changes }));
    const once = await db.getAll("level");
    await applyPullPage(db, page({ changes }));
    expect(await db.getAll("level")).toEqual(once);
    expect(once).toEqual([{ key: "204:17:0", on_hand: 3 }]);
  });

  test("a snapshot abandoned for live pages, or by asking for a new one, leaves nothing staged", async () => {
    const db = await freshDb();
    await applyPullPage(db, page({ reset: true, snapshot: true, changes: [put("sku", "1")] }));
    await applyPullPage(db, page({ changes: [put("sku", "2")] }));
    expect(await db.count("staged")).toBe(0);
    expect(await db.getAllKeys("sku")).toEqual([2]);
    await applyPullPage(db, page({ cursor: "s", reset: true, snapshot: true, changes: [put("sku", "3")] }));
    await discardCursor(db);
    expect(await db.count("staged")).toBe(0);
    expect(await readMeta(db, "feed")).toMatchObject({ cursor: null, staging: false });
    expect(await db.getAllKeys("sku")).toEqual([2]); // the screens keep what they had
  });

  test("keys this app cannot read are ignored, not stored", async () => {
    const db = await freshDb();
    const applied = await applyPullPage(
      db,
      page({ changes: [put("sku", "x1"), put("sku", "0"), put("task", "12"), put("robot", "1")] }),
    );
    expect(applied.ignored).toBe(3);
    expect(await db.getAllKeys("task")).toEqual([12]);
  });
});
