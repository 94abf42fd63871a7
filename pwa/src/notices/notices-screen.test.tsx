// @vitest-environment happy-dom
// The notification centre in the app: the server's list merged with what pushes brought, readable
// offline, a tap marks read and opens the screen; and the page's side of the worker (language,
// the subscription handed over again at login, the worker's messages, the menu badge).
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { route } from "../app/router";
import { bootTestShell, byTestId, mountApp, tap, type TestShell } from "../app/test-shell";
import { chooseLang } from "../i18n/i18n";
import { freshName } from "../store/test-support";
import { installNotices, noticesTouched, unreadNotices, useNoticesDb } from "./live";
import { parsePayload } from "./payload";
import { addPush, clearNotices, getSetting, listNotices, openNoticesDb, putSetting, type NoticesDb } from "./store";
import { FakePushEnv, PushFakeServer, SUPERVISOR, serverNotice } from "./test-support";

const T = Date.UTC(2026, 11, 2, 2, 0);

let db: NoticesDb;
let current: { test: TestShell; unmount: () => void; stop?: () => void } | null = null;

beforeEach(async () => {
  chooseLang("en");
  db = await openNoticesDb(freshName("centre"));
  useNoticesDb(async () => db);
});

afterEach(() => {
  current?.stop?.();
  current?.unmount();
  current?.test.shell.dispose();
  current = null;
});

async function logIn(server: PushFakeServer): Promise<TestShell> {
  const test = await bootTestShell({ server, autoSync: false });
  await test.shell.logIn({ username: SUPERVISOR.username, password: SUPERVISOR.password }, async () => null);
  return test;
}

function pushed(id: number, at: number) {
  return parsePayload(
    JSON.stringify({
      kind: "urgent_order",
      title: { en: `Urgent order A${id}`, zh: `加急订单 A${id}` },
      body: { en: "VIP buyer", zh: "VIP 买家" },
      url: `/#/order/${id}`,
      tag: "urgent_order",
      at: new Date(at).toISOString(),
      count: 1,
    }),
    at,
  );
}

const items = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="notice-item"]')];

describe("notification centre", () => {
  test("lists the server's notifications with the pushed ones, once each; a tap reads and opens", async () => {
    await addPush(db, pushed(2, T)); // delivered by push
    const server = new PushFakeServer();
    server.push.inbox = [serverNotice(1, T - 3_600_000), serverNotice(2, T)]; // 1 came with no subscription
    const test = await logIn(server);
    const { root, unmount } = mountApp(test.shell, "notifications");
    current = { test, unmount };

    await vi.waitFor(() => expect(items(root).map((i) => i.dataset["key"])).toEqual(["server:2", "server:1"]));
    expect(items(root)[0]?.textContent).toContain("Urgent order A2");
    expect(items(root).map((i) => i.dataset["unread"])).toEqual(["1", "1"]);

    tap(items(root)[0] ?? null);
    await vi.waitFor(() => expect(route.value).toEqual({ name: "order", args: ["2"] }));
    await vi.waitFor(() => expect(server.push.inbox.find((i) => i.id === 2)?.read_at).not.toBeNull());
    expect(server.requests.find((r) => r.path === "/api/notifications/read")?.body).toEqual({ ids: [2] });
    await vi.waitFor(() => expect(unreadNotices.value).toBe(1));
  });

  test("offline it shows the kept list and says so", async () => {
    await addPush(db, pushed(3, T));
    const server = new PushFakeServer();
    const test = await logIn(server);
    server.online = false;
    const { root, unmount } = mountApp(test.shell, "notifications");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "notices-offline")).not.toBeNull());
    expect(items(root).map((i) => i.textContent)).toEqual([expect.stringContaining("Urgent order A3")]);
    chooseLang("zh-CN");
    await vi.waitFor(() => expect(items(root)[0]?.textContent).toContain("加急订单 A3"));
    expect(byTestId(root, "notices-offline")?.textContent).toContain("本机保存的通知");
  });

  test("mark all read, and the empty centre", async () => {
    const server = new PushFakeServer();
    server.push.inbox = [serverNotice(1, T), serverNotice(2, T + 1000)];
    const test = await logIn(server);
    const { root, unmount } = mountApp(test.shell, "notifications");
    current = { test, unmount };
    await vi.waitFor(() => expect(items(root)).toHaveLength(2));
    tap(byTestId(root, "notices-read-all"));
    await vi.waitFor(() => expect(items(root).map((i) => i.dataset["unread"])).toEqual(["0", "0"]));
    expect(server.push.inbox.every((i) => i.read_at !== null)).toBe(true);

    await clearNotices(db);
    server.push.inbox = [];
    tap(byTestId(root, "notices-refresh"));
    await vi.waitFor(() => expect(root.textContent).toContain("No notifications yet."));
  });
});

describe("the page's side of notifications", () => {
  test("at login: hands the subscription over again, starts a new person's centre empty, counts unread", async () => {
    await putSetting(db, "user", 99); // someone else used this phone
    await addPush(db, pushed(8, T));
    const env = new FakePushEnv();
    env.granted = "granted";
    await env.manager?.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array(65) });
    const server = new PushFakeServer();
    server.push.inbox = [serverNotice(5, T)];
    const test = await bootTestShell({ server, autoSync: false });
    const container = new EventTarget();
    const opened: string[] = [];
    const stop = installNotices(test.shell, {
      push: env,
      container,
      online: () => true,
      open: (r) => opened.push(r),
      testHooks: true,
    });
    const { root, unmount } = mountApp(test.shell, "");
    current = { test, unmount, stop };
    await test.shell.logIn({ username: SUPERVISOR.username, password: SUPERVISOR.password }, async () => null);

    await vi.waitFor(() => expect(server.push.subscriptions.has(env.manager?.current?.endpoint ?? "")).toBe(true));
    await vi.waitFor(async () => expect((await listNotices(db)).map((r) => r.key)).toEqual(["server:5"]));
    expect(await getSetting(db, "user")).toBe(SUPERVISOR.id);
    expect(await getSetting(db, "testHooks")).toBe(true);
    await vi.waitFor(() => expect(unreadNotices.value).toBe(1));
    await vi.waitFor(() => expect(byTestId(root, "badge-notifications")?.textContent).toBe("1"));

    // The worker shows notifications in the app's language.
    await vi.waitFor(async () => expect(await getSetting(db, "lang")).toBe("en"));
    chooseLang("zh-CN");
    await vi.waitFor(async () => expect(await getSetting(db, "lang")).toBe("zh-CN"));

    // A push arrived (the worker kept it and said so); a tap in the worker opens a screen.
    await addPush(db, pushed(6, T + 5000));
    container.dispatchEvent(new MessageEvent("message", { data: { type: "NOTICE", key: "x" } }));
    await vi.waitFor(() => expect(unreadNotices.value).toBe(2));
    container.dispatchEvent(new MessageEvent("message", { data: { type: "OPEN", route: "#/order/6" } }));
    container.dispatchEvent(new MessageEvent("message", { data: { type: "OPEN", route: "https://evil.example/" } }));
    expect(opened).toEqual(["#/order/6"]);

    stop();
    container.dispatchEvent(new MessageEvent("message", { data: { type: "OPEN", route: "#/order/7" } }));
    expect(opened).toEqual(["#/order/6"]);
    await addPush(db, pushed(7, T + 9000));
    await noticesTouched(); // the centre's own refreshes still update the badge
    expect(unreadNotices.value).toBe(3);
  });
});
