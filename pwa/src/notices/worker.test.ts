// The service worker's push and tap handlers, over fake-indexeddb with fake windows.
import "fake-indexeddb/auto";
import { describe, expect, it, vi } from "vitest";
import type { PageMessage } from "../pwa/sw-types";
import { freshName } from "../store/test-support";
import { getSetting, listNotices, mergeServer, openNoticesDb, putSetting, type NoticesDb } from "./store";
import {
  clickByTag,
  handleClick,
  handlePush,
  type ShowOptions,
  type ShownNotification,
  type WindowLike,
  type WorkerEnv,
} from "./worker";

const T = Date.UTC(2026, 11, 2, 2, 0);
const ORIGIN = "https://wms.example.com";

const URGENT = JSON.stringify({
  kind: "urgent_order",
  title: { en: "Urgent order T100", zh: "加急订单 T100" },
  body: { en: "VIP buyer", zh: "VIP 买家" },
  url: "/#/order/12",
  tag: "urgent_order",
  at: "2026-12-02T01:59:58.000001Z",
  count: 1,
});

class FakeWindow implements WindowLike {
  readonly messages: PageMessage[] = [];
  focusedTimes = 0;
  readonly url: string;
  readonly focused: boolean;
  constructor(url: string, focused = false) {
    this.url = url;
    this.focused = focused;
  }
  async focus() {
    this.focusedTimes += 1;
    return this;
  }
  postMessage(message: PageMessage) {
    this.messages.push(message);
  }
}

interface World {
  env: WorkerEnv;
  db: NoticesDb;
  shown: { title: string; options: ShowOptions; closed: boolean }[];
  windows: FakeWindow[];
  opened: string[];
}

async function world(options: { language?: string; dbFails?: boolean } = {}): Promise<World> {
  const db = await openNoticesDb(freshName("sw"));
  const shown: World["shown"] = [];
  const windows: FakeWindow[] = [];
  const opened: string[] = [];
  const env: WorkerEnv = {
    origin: ORIGIN,
    language: options.language ?? "en-US",
    db: async () => {
      if (options.dbFails === true) throw new Error("QuotaExceededError");
      return db;
    },
    now: () => T,
    showNotification: async (title, opts) => {
      shown.push({ title, options: opts, closed: false });
    },
    getNotifications: async (tag) =>
      shown
        .filter((n) => !n.closed && (tag === undefined || n.options.tag === tag))
        .map(
          (n): ShownNotification => ({
            tag: n.options.tag,
            data: n.options.data,
            close: () => {
              n.closed = true;
            },
          }),
        ),
    windows: async () => windows,
    openWindow: async (url) => {
      opened.push(url);
      return null;
    },
  };
  return { env, db, shown, windows, opened };
}

describe("push", () => {
  it("shows it in the app's chosen language, keeps it for the centre and tells open pages", async () => {
    const w = await world({ language: "en-US" });
    await putSetting(w.db, "lang", "zh-CN");
    const page = new FakeWindow(`${ORIGIN}/#/`);
    w.windows.push(page);
    await handlePush(w.env, URGENT);

    expect(w.shown).toHaveLength(1);
    const [shown] = w.shown;
    expect(shown?.title).toBe("加急订单 T100");
    expect(shown?.options).toMatchObject({
      body: "VIP 买家",
      tag: "urgent_order",
      icon: "/icons/icon-192.png",
      timestamp: Date.UTC(2026, 11, 2, 1, 59, 58),
      renotify: true,
      lang: "zh-CN",
    });
    const rows = await listNotices(w.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.title.zh).toBe("加急订单 T100");
    expect(shown?.options.data).toEqual({
      url: "/#/order/12",
      key: rows[0]?.key,
      kind: "urgent_order",
      at: Date.UTC(2026, 11, 2, 1, 59, 58),
      count: 1,
    });
    expect(page.messages).toEqual([{ type: "NOTICE", key: rows[0]?.key }]);
  });

  it("follows the phone's language when the page never said, and shows garbage as a generic notice", async () => {
    const w = await world({ language: "en-GB" });
    await handlePush(w.env, "{not json");
    expect(w.shown[0]?.title).toBe("Cangku");
    expect(w.shown[0]?.options.body).toContain("new notification");
    expect(w.shown[0]?.options.renotify).toBe(false);
    const zh = await world({ language: "zh-TW" });
    await handlePush(zh.env, null);
    expect(zh.shown[0]?.title).toBe("仓库");
  });

  it("still shows the notification when its database cannot be opened", async () => {
    const w = await world({ dbFails: true, language: "zh-CN" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await handlePush(w.env, URGENT);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
    expect(w.shown[0]?.title).toBe("加急订单 T100");
    expect(w.shown[0]?.options.data.key).toBeNull();
  });
});

describe("tap", () => {
  it("marks it read and sends the focused app window to its screen", async () => {
    const w = await world();
    const other = new FakeWindow(`${ORIGIN}/#/pick`);
    const focused = new FakeWindow(`${ORIGIN}/#/settings`, true);
    w.windows.push(other, focused, new FakeWindow("https://elsewhere.example/"));
    await handlePush(w.env, URGENT);
    const [notification] = await w.env.getNotifications("urgent_order");
    expect(await handleClick(w.env, notification as ShownNotification)).toBe("#/order/12");

    expect(w.shown[0]?.closed).toBe(true);
    expect(focused.focusedTimes).toBe(1);
    expect(focused.messages).toContainEqual({ type: "OPEN", route: "#/order/12" });
    expect(other.messages.filter((m) => m.type === "OPEN")).toEqual([]);
    expect(w.opened).toEqual([]);
    expect((await listNotices(w.db))[0]?.readAt).toBe(T);
  });

  it("marks read the server's row when the centre has merged the push away meanwhile", async () => {
    const w = await world();
    await handlePush(w.env, URGENT);
    const at = Date.UTC(2026, 11, 2, 1, 59, 58);
    const row = (id: number, when: number) => ({
      id,
      kind: "urgent_order",
      title_en: "t",
      title_zh: "t",
      body_en: "",
      body_zh: "",
      url: `/#/order/${id}`,
      urgency: "high",
      created_at: new Date(when).toISOString(),
      read_at: null,
    });
    await mergeServer(w.db, [row(12, at), row(11, at - 60_000)], T);
    expect((await listNotices(w.db)).map((r) => r.key)).toEqual(["server:12", "server:11"]);
    const [notification] = await w.env.getNotifications("urgent_order");
    await handleClick(w.env, notification as ShownNotification);
    const rows = await listNotices(w.db);
    expect(rows.map((r) => r.readAt)).toEqual([T, null]); // only the one it showed
  });

  it("opens a new window when the app is not open", async () => {
    const w = await world();
    const data = { url: "/orders?urgent=1", key: null, kind: "urgent_order", at: T, count: 4 };
    await handleClick(w.env, { tag: "x", data, close: () => undefined });
    expect(w.opened).toEqual([`${ORIGIN}/#/urgent`]);
  });

  it("the tests' tap works only where the page turned test hooks on", async () => {
    const w = await world();
    const page = new FakeWindow(`${ORIGIN}/`);
    w.windows.push(page);
    await handlePush(w.env, URGENT);
    expect(await clickByTag(w.env, "urgent_order")).toBe(false);
    expect(page.messages.some((m) => m.type === "OPEN")).toBe(false);
    await putSetting(w.db, "testHooks", true);
    expect(await getSetting(w.db, "testHooks")).toBe(true);
    expect(await clickByTag(w.env, "no-such-tag")).toBe(false);
    expect(await clickByTag(w.env, "urgent_order")).toBe(true);
    expect(page.messages).toContainEqual({ type: "OPEN", route: "#/order/12" });
  });
});
