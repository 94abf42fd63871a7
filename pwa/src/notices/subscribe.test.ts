// Turning push on and off, every way it can go: no support, a "no", no network, a refusing
// server, a push service that never answers; and quiet hours.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../app/api";
import { FakePushEnv, FakePushServer, SERVER_KEY } from "./test-support";
import {
  PushProblem,
  forgetOnLogout,
  keyBytes,
  readPushState,
  resubscribe,
  saveQuietHours,
  subscriptionBody,
  turnOff,
  turnOn,
} from "./subscribe";

afterEach(() => {
  vi.useRealTimers();
});

async function problem(promise: Promise<unknown>): Promise<PushProblem> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof PushProblem) return error;
    throw error;
  }
  throw new Error("expected a PushProblem");
}

describe("push state", () => {
  it("reads unsupported, off, denied and on", async () => {
    expect(await readPushState(new FakePushEnv({ supported: false }))).toBe("unsupported");
    const env = new FakePushEnv();
    expect(await readPushState(env)).toBe("off");
    env.granted = "denied";
    expect(await readPushState(env)).toBe("denied");
    env.granted = "granted";
    expect(await readPushState(env)).toBe("off"); // allowed, but not subscribed
    await turnOn(env, new FakePushServer().api);
    expect(await readPushState(env)).toBe("on");
  });
});

describe("turning on", () => {
  it("asks once, subscribes with the server's key and posts exactly toJSON's fields", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    await turnOn(env, server.api);
    expect(env.prompts).toBe(1);
    const subscription = env.manager?.current;
    expect(new Uint8Array(subscription?.options.applicationServerKey ?? new ArrayBuffer(0))).toEqual(
      keyBytes(SERVER_KEY),
    );
    expect(keyBytes(SERVER_KEY)).toHaveLength(65);
    const posted = server.calls.find((c) => c.method === "POST");
    expect(posted?.body).toEqual({
      endpoint: subscription?.endpoint,
      expirationTime: null,
      keys: { p256dh: expect.any(String), auth: expect.any(String) },
    });
    // Again: no second prompt, the same subscription handed over again.
    await turnOn(env, server.api);
    expect(env.prompts).toBe(1);
    expect(env.manager?.subscribes).toBe(1);
  });

  it("a subscription made with an older server key is replaced", async () => {
    const env = new FakePushEnv();
    env.granted = "granted";
    const old = await env.manager?.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array(65) });
    await turnOn(env, new FakePushServer().api);
    expect(old?.unsubscribed).toBe(true);
    expect(env.manager?.current).not.toBe(old);
  });

  it("says why not: unsupported, denied, offline, server refused, no push service", async () => {
    const server = new FakePushServer();
    expect((await problem(turnOn(new FakePushEnv({ supported: false }), server.api))).text.zh).toContain("无法接收通知");

    const no = new FakePushEnv();
    no.answer = "denied";
    const denied = await problem(turnOn(no, server.api));
    expect(denied.text.en).toContain("blocked");
    expect(denied.text.zh).toContain("已被阻止");
    expect(no.manager?.subscribes).toBe(0);

    const env = new FakePushEnv();
    server.online = false;
    expect((await problem(turnOn(env, server.api))).text.en).toContain("No connection");
    server.online = true;

    server.refuseSubscribe = new ApiError(422, "invalid_subscription", {
      en: "endpoint must use https",
      zh: "endpoint 须使用 https",
    });
    const refused = await problem(turnOn(env, server.api));
    expect(refused.text.zh).toBe("服务器拒绝：endpoint 须使用 https");
    expect(env.manager?.current).toBeNull(); // not left subscribed behind the server's back
    server.refuseSubscribe = null;

    if (env.manager !== null) env.manager.mode = "fail";
    expect((await problem(turnOn(env, server.api))).text.en).toContain("push service");
  });

  it("gives up on a push service that never answers", async () => {
    vi.useFakeTimers();
    const env = new FakePushEnv();
    if (env.manager !== null) env.manager.mode = "hang";
    const pending = problem(turnOn(env, new FakePushServer().api));
    await vi.advanceTimersByTimeAsync(20_001);
    expect((await pending).text.zh).toContain("推送服务");
  });
});

describe("turning off", () => {
  it("forgets it on both sides; offline, on the phone only", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    await turnOn(env, server.api);
    expect(server.subscriptions.size).toBe(1);
    expect(await turnOff(env, server.api)).toBe(true);
    expect(server.subscriptions.size).toBe(0);
    expect(await readPushState(env)).toBe("off");

    await turnOn(env, server.api);
    server.online = false;
    expect(await turnOff(env, server.api)).toBe(false);
    expect(env.manager?.current).toBeNull();
  });

  it("a subscription the server already forgot (404) still turns off", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    await turnOn(env, server.api);
    server.subscriptions.clear(); // the push service said 410 meanwhile
    expect(await turnOff(env, server.api)).toBe(true);
    expect(env.manager?.current).toBeNull();
  });
});

describe("logging out", () => {
  it("the server forgets the leaving person's subscription, the browser keeps it for the next login", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    await turnOn(env, server.api);
    expect(await forgetOnLogout(env, server.api)).toBe(true);
    expect(server.subscriptions.size).toBe(0);
    expect(env.manager?.current).not.toBeNull();
    expect(await resubscribe(env, server.api)).toBe(true);
    expect(server.subscriptions.size).toBe(1);
  });

  it("is quiet offline and when push is off", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    expect(await forgetOnLogout(env, server.api)).toBe(true);
    await turnOn(env, server.api);
    server.online = false;
    expect(await forgetOnLogout(env, server.api)).toBe(false);
    expect(server.subscriptions.size).toBe(1);
  });
});

describe("resubscribe", () => {
  it("hands the current subscription over again only when allowed and subscribed; quiet when offline", async () => {
    const env = new FakePushEnv();
    const server = new FakePushServer();
    expect(await resubscribe(env, server.api)).toBe(false);
    await turnOn(env, server.api);
    server.subscriptions.clear();
    expect(await resubscribe(env, server.api)).toBe(true);
    expect([...server.subscriptions.keys()]).toEqual([env.manager?.current?.endpoint]);
    server.online = false;
    expect(await resubscribe(env, server.api)).toBe(false);
  });

  it("sends only the fields the server takes", () => {
    const body = subscriptionBody({
      endpoint: "https://push.example/x",
      toJSON: () => ({ endpoint: "https://push.example/x", keys: { p256dh: "p", auth: "a", extra: "no" } }),
      unsubscribe: async () => true,
    });
    const keys = { p256dh: "p", auth: "a" };
    expect(body).toEqual({ endpoint: "https://push.example/x", expirationTime: null, keys });
  });
});

describe("quiet hours", () => {
  it("saves both times or neither, HH:MM only", async () => {
    const server = new FakePushServer();
    expect((await saveQuietHours(server.api, "22:00", "07:30", "Asia/Shanghai")).quiet_start).toBe("22:00");
    expect(server.quiet).toEqual({ quiet_start: "22:00", quiet_end: "07:30", timezone: "Asia/Shanghai" });
    expect((await problem(saveQuietHours(server.api, "22:00", null, "UTC"))).text.zh).toContain("同时");
    expect((await problem(saveQuietHours(server.api, "24:00", "07:00", "UTC"))).text.en).toContain("HH:MM");
    await saveQuietHours(server.api, null, null, "Asia/Shanghai");
    expect(server.quiet.quiet_start).toBeNull();
    server.online = false;
    expect((await problem(saveQuietHours(server.api, null, null, "UTC"))).text.en).toContain("No connection");
  });
});
