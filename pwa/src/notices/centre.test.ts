// The centre and the server: read marks go up (later, if offline), the server's list comes down.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { freshName } from "../store/test-support";
import { openNotice, readEverything, refreshFromServer } from "./centre";
import { parsePayload } from "./payload";
import { addPush, countUnread, listNotices, openNoticesDb, pendingReads } from "./store";
import { FakePushServer, serverNotice } from "./test-support";

const T = Date.UTC(2026, 11, 2, 2, 0);
const now = () => T + 60_000;

describe("centre refresh", () => {
  it("lists what came while the phone had no subscription, merged with what pushes brought", async () => {
    const db = await openNoticesDb(freshName("centre"));
    const at = new Date(T + 1000).toISOString();
    await addPush(db, parsePayload(JSON.stringify({ kind: "urgent_order", title: { en: "A2", zh: "A2" }, at }), T));
    const server = new FakePushServer();
    server.inbox = [serverNotice(1, T - 3_600_000), serverNotice(2, T + 1000)];
    const result = await refreshFromServer(db, server.api, now);
    expect(result).toEqual({ ok: true, offline: false, error: null, unread: 2 });
    expect((await listNotices(db)).map((r) => r.key)).toEqual(["server:2", "server:1"]);
  });

  it("a tap offline is sent at the next refresh; mark-all uses the server's all", async () => {
    const db = await openNoticesDb(freshName("centre"));
    const server = new FakePushServer();
    server.inbox = [serverNotice(1, T), serverNotice(2, T + 1000), serverNotice(3, T + 2000)];
    await refreshFromServer(db, server.api, now);

    server.online = false;
    await openNotice(db, server.api, "server:1", now);
    expect(await countUnread(db)).toBe(2);
    expect(await refreshFromServer(db, server.api, now)).toMatchObject({ ok: false, offline: true });
    expect(await pendingReads(db)).toEqual([1]);

    server.online = true;
    await refreshFromServer(db, server.api, now);
    expect(server.calls.filter((c) => c.path === "/api/notifications/read").at(-1)?.body).toEqual({ ids: [1] });
    expect(server.inbox.find((i) => i.id === 1)?.read_at).not.toBeNull();
    expect(await pendingReads(db)).toEqual([]);

    await readEverything(db, server.api, now);
    expect(server.calls.at(-1)?.body).toEqual({ all: true });
    expect(server.inbox.every((i) => i.read_at !== null)).toBe(true);
    expect(await countUnread(db)).toBe(0);
    expect(await pendingReads(db)).toEqual([]);
  });

  it("a server without the list still leaves the pushes readable", async () => {
    const db = await openNoticesDb(freshName("centre"));
    await addPush(db, parsePayload(JSON.stringify({ title: { en: "Kept", zh: "保留" } }), T));
    const server = new FakePushServer();
    server.noInbox = true;
    const result = await refreshFromServer(db, server.api, now);
    expect(result.ok).toBe(false);
    expect(result.error?.zh).toContain("无法读取服务器");
    expect((await listNotices(db)).map((r) => r.title.zh)).toEqual(["保留"]);
  });
});
