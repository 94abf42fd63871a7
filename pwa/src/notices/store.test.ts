// The centre's database: pushes kept once, the server's list merged without doubles, read marks
// kept until the server has them.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { freshName } from "../store/test-support";
import { parsePayload } from "./payload";
import {
  KEEP,
  addPush,
  countUnread,
  getSetting,
  listNotices,
  markAllRead,
  markRead,
  mergeServer,
  noteReadsSent,
  openNoticesDb,
  pendingReads,
  putSetting,
  type ServerNotice,
} from "./store";

const T = Date.UTC(2026, 11, 2, 2, 0);

function push(at: number, extra: Record<string, unknown> = {}) {
  return parsePayload(
    JSON.stringify({
      kind: "urgent_order",
      title: { en: "Urgent order A1", zh: "加急订单 A1" },
      body: { en: "VIP buyer", zh: "VIP 买家" },
      url: "/#/order/1",
      tag: "urgent_order",
      at: new Date(at).toISOString(),
      count: 1,
      ...extra,
    }),
    T,
  );
}

function item(id: number, at: number, extra: Partial<ServerNotice> = {}): ServerNotice {
  return {
    id,
    kind: "urgent_order",
    title_en: `Urgent order A${id}`,
    title_zh: `加急订单 A${id}`,
    body_en: "VIP buyer",
    body_zh: "VIP 买家",
    url: `/#/order/${id}`,
    urgency: "high",
    created_at: new Date(at).toISOString().replace("Z", "123Z"),
    read_at: null,
    ...extra,
  };
}

describe("notices store", () => {
  it("keeps a push once, however often it is delivered, newest first", async () => {
    const db = await openNoticesDb(freshName("notices"));
    const first = await addPush(db, push(T));
    await markRead(db, first.key, T + 5);
    const again = await addPush(db, push(T));
    expect(again.readAt).toBe(T + 5); // a resent push does not turn unread again
    await addPush(db, push(T + 60_000, { title: { en: "Later", zh: "稍后" } }));
    const rows = await listNotices(db);
    expect(rows.map((r) => r.title.en)).toEqual(["Later", "Urgent order A1"]);
    expect(await countUnread(db)).toBe(1);
  });

  it("merges the server's list: a push it covers goes, and hands over its read mark", async () => {
    const db = await openNoticesDb(freshName("notices"));
    const shown = await addPush(db, push(T));
    await markRead(db, shown.key, T + 1000); // tapped while offline
    await addPush(db, push(T - 3_600_000)); // older than anything the server lists: stays
    await mergeServer(db, [item(2, T + 30_000), item(1, T)], T + 2000);
    const rows = await listNotices(db);
    expect(rows.map((r) => r.key)).toEqual(["server:2", "server:1", expect.stringMatching(/^push:/)]);
    expect(rows[1]).toMatchObject({ serverId: 1, readAt: T + 1000, readSent: false });
    expect(rows[0]).toMatchObject({ serverId: 2, readAt: null });
    expect(await pendingReads(db)).toEqual([1]);

    await noteReadsSent(db, [1], T + 3000);
    expect(await pendingReads(db)).toEqual([]);
    // A list that still says unread (the mark got lost on the way): kept read, and sent again.
    await mergeServer(db, [item(2, T + 30_000), item(1, T)], T + 4000);
    expect((await listNotices(db)).find((r) => r.key === "server:1")).toMatchObject({ readAt: T + 1000 });
    expect(await pendingReads(db)).toEqual([1]);
    // The server's list says read: nothing left to send.
    await mergeServer(db, [item(1, T, { read_at: new Date(T + 3000).toISOString() })], T + 5000);
    expect((await listNotices(db)).find((r) => r.key === "server:1")).toMatchObject({ readAt: T + 3000 });
    expect(await pendingReads(db)).toEqual([]);
  });

  it("a summary tapped offline marks read the notifications it stood for", async () => {
    const db = await openNoticesDb(freshName("notices"));
    const summary = await addPush(db, push(T + 20_000, { count: 2, title: { en: "2 urgent orders", zh: "2 个加急订单" } }));
    await markRead(db, summary.key, T + 25_000);
    await mergeServer(db, [item(3, T + 20_000), item(2, T + 10_000), item(1, T)], T + 30_000);
    const rows = await listNotices(db);
    expect(rows.map((r) => [r.key, r.readAt !== null])).toEqual([
      ["server:3", true],
      ["server:2", true],
      ["server:1", false],
    ]);
    expect(await pendingReads(db)).toEqual([2, 3]);
  });

  it("a server read mark wins, a local one waits to be sent, mark-all marks everything", async () => {
    const db = await openNoticesDb(freshName("notices"));
    await mergeServer(db, [item(1, T, { read_at: new Date(T + 1).toISOString() }), item(2, T + 1000)], T);
    expect(await countUnread(db)).toBe(1);
    await addPush(db, push(T + 50_000, { kind: "sync_exception" }));
    await markAllRead(db, T + 60_000);
    expect(await countUnread(db)).toBe(0);
    expect(await pendingReads(db)).toEqual([2]);
    await noteReadsSent(db, "all", T + 61_000);
    expect(await pendingReads(db)).toEqual([]);
  });

  it("keeps at most KEEP rows, dropping the oldest", async () => {
    const db = await openNoticesDb(freshName("notices"));
    const items = Array.from({ length: KEEP + 5 }, (_, i) => item(i + 1, T + i * 1000));
    await mergeServer(db, items, T);
    const rows = await listNotices(db, KEEP + 10);
    expect(rows).toHaveLength(KEEP);
    expect(rows.at(-1)?.serverId).toBe(6);
  });

  it("keeps the settings the worker reads", async () => {
    const db = await openNoticesDb(freshName("notices"));
    expect(await getSetting(db, "lang")).toBeUndefined();
    await putSetting(db, "lang", "en");
    await putSetting(db, "user", 7);
    expect(await getSetting(db, "lang")).toBe("en");
    expect(await getSetting(db, "user")).toBe(7);
  });
});
