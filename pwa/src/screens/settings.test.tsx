// @vitest-environment happy-dom
// Settings: language, sound, storage status, version — and logging out, which warns about unsent
// ops (kept on the phone for the same person) and never deletes the outbox.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { beginTask } from "../app/activity";
import { bootTestShell, byTestId, mountApp, tap, typeInto, type TestShell } from "../app/test-shell";
import { chooseLang, lang } from "../i18n/i18n";
import { usePushEnv } from "../notices/subscribe";
import { FakePushEnv, PushFakeServer, SUPERVISOR } from "../notices/test-support";
import { PICKER } from "../session/fake-server";
import { readMeta } from "../store/meta";
import { countUnacknowledged } from "../store/outbox";
import { feedback, feedbackLog } from "../ui/feedback";
import { logoutWarnings } from "./logout";

let current: { test: TestShell; unmount: () => void } | null = null;

beforeEach(() => chooseLang("en"));

afterEach(() => {
  current?.unmount();
  current?.test.shell.dispose();
  current = null;
  usePushEnv(null);
});

async function openSettings() {
  const test = await bootTestShell({ autoSync: false });
  await test.shell.logIn({ username: PICKER.username, password: PICKER.password }, async () => null);
  const { root, unmount } = mountApp(test.shell, "settings");
  current = { test, unmount };
  await vi.waitFor(() => expect(byTestId(root, "settings-screen")).not.toBeNull());
  return { test, root };
}

const move = { name: "warehouse.item_moved", payload: { sku_id: 1, from_location_id: 1, to_location_id: 2, qty: 1 } };

describe("logout", () => {
  test("with pending ops it asks first, saying they are kept for the same person", async () => {
    const { test, root } = await openSettings();
    await test.shell.services.record(move);
    await test.shell.services.record(move);
    await vi.waitFor(() => expect(test.shell.services.syncState.value.pending).toBe(2));

    tap(byTestId(root, "logout"));
    await vi.waitFor(() => expect(byTestId(root, "logout-warning")).not.toBeNull());
    const warning = byTestId(root, "logout-warning")?.textContent ?? "";
    expect(warning).toContain("2 operations have not been sent yet");
    expect(warning).toContain("KEPT on this phone and sent when 李雷 logs in again");
    expect(warning).toContain("Nobody else can log in on this phone until they are sent");
    expect(test.shell.session.value).not.toBeNull();

    tap(byTestId(root, "logout-confirm-no"));
    await vi.waitFor(() => expect(byTestId(root, "logout-warning")).toBeNull());
    tap(byTestId(root, "logout"));
    await vi.waitFor(() => expect(byTestId(root, "logout-confirm-yes")).not.toBeNull());
    tap(byTestId(root, "logout-confirm-yes"));
    await vi.waitFor(() => expect(byTestId(root, "login-screen")).not.toBeNull());
    expect(test.shell.session.value).toBeNull();
    expect(await countUnacknowledged(test.db)).toBe(2);
    expect((await readMeta(test.db, "device")).token).toBeNull();
  });

  test("with nothing pending it logs out at once", async () => {
    const { test, root } = await openSettings();
    tap(byTestId(root, "logout"));
    await vi.waitFor(() => expect(test.shell.session.value).toBeNull());
    expect(byTestId(root, "logout-warning")).toBeNull();
  });

  test("the warnings in both languages (pending ops, an open task)", () => {
    expect(logoutWarnings(0, false, "李雷")).toEqual([]);
    const end = beginTask("pick:1");
    const warnings = logoutWarnings(3, true, "李雷");
    end();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.params).toEqual({ n: 3, name: "李雷" });
    expect(warnings[0]?.text.zh).toContain("会保留在本机");
  });
});

describe("settings", () => {
  test("language, sound, storage status and version", async () => {
    const { test, root } = await openSettings();
    tap(byTestId(root, "lang-zh"));
    expect(lang.value).toBe("zh-CN");
    await vi.waitFor(() => expect(byTestId(root, "lang-zh")?.getAttribute("aria-pressed")).toBe("true"));
    tap(byTestId(root, "lang-en"));
    expect(lang.value).toBe("en");

    tap(byTestId(root, "sound-off"));
    expect(test.shell.soundOn.value).toBe(false);
    expect(test.storage.getItem("cangku.sound")).toBe("off");
    const before = feedbackLog.length;
    feedback("good"); // still logged (tests read it), only silent
    expect(feedbackLog.length).toBe(before + 1);
    tap(byTestId(root, "sound-on"));
    expect(test.shell.soundOn.value).toBe(true);

    await vi.waitFor(() => expect(byTestId(root, "settings-storage")?.textContent).toContain("Kept"));
    expect(byTestId(root, "settings-version")?.textContent).toMatch(/^pwa \d/);
    expect(byTestId(root, "settings-device")?.textContent).toBe(test.shell.session.value?.deviceId);
  });
});

describe("notifications", () => {
  async function openPushSettings(env: FakePushEnv) {
    usePushEnv(env);
    const server = new PushFakeServer();
    const test = await bootTestShell({ server, autoSync: false });
    await test.shell.logIn({ username: SUPERVISOR.username, password: SUPERVISOR.password }, async () => null);
    const { root, unmount } = mountApp(test.shell, "settings");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "push-state")?.dataset["state"]).not.toBe("checking"));
    return { server, root };
  }

  const state = (root: HTMLElement) => byTestId(root, "push-state")?.dataset["state"];
  /** Preact renders typed values on the next tick; a person never taps faster than that. */
  const rendered = () => new Promise((resolve) => setTimeout(resolve, 0));

  test("turning on asks, subscribes and tells the server; turning off forgets it on both sides", async () => {
    const env = new FakePushEnv();
    const { server, root } = await openPushSettings(env);
    expect(state(root)).toBe("off");
    expect(byTestId(root, "push-state")?.textContent).toBe("Off");

    tap(byTestId(root, "push-on"));
    await vi.waitFor(() => expect(state(root)).toBe("on"));
    expect(env.prompts).toBe(1);
    expect([...server.push.subscriptions.keys()]).toEqual([env.manager?.current?.endpoint]);
    expect(byTestId(root, "push-error")).toBeNull();

    tap(byTestId(root, "push-off"));
    await vi.waitFor(() => expect(state(root)).toBe("off"));
    expect(server.push.subscriptions.size).toBe(0);
    expect(server.paths()).toContain("DELETE /api/push/subscriptions");
  });

  test("a refused prompt and an unsupported browser are explained in both languages", async () => {
    const env = new FakePushEnv();
    env.answer = "denied";
    const { root } = await openPushSettings(env);
    tap(byTestId(root, "push-on"));
    await vi.waitFor(() => expect(state(root)).toBe("denied"));
    expect(byTestId(root, "push-error")?.textContent).toContain("blocked for this app");
    chooseLang("zh-CN");
    await vi.waitFor(() => expect(byTestId(root, "push-denied")?.textContent).toContain("通知已被阻止"));
    current?.unmount();
    current?.test.shell.dispose();
    current = null;

    const { root: other } = await openPushSettings(new FakePushEnv({ supported: false }));
    expect(state(other)).toBe("unsupported");
    expect(byTestId(other, "push-on")).toBeNull();
    expect(byTestId(other, "quiet-hours")).toBeNull();
  });

  test("offline, turning on says so and stays off", async () => {
    const env = new FakePushEnv();
    const { server, root } = await openPushSettings(env);
    server.online = false;
    tap(byTestId(root, "push-on"));
    await vi.waitFor(() => expect(byTestId(root, "push-error")?.textContent).toContain("No connection"));
    expect(state(root)).toBe("off");
  });

  test("quiet hours: shown as saved, changed, cleared", async () => {
    const { server, root } = await openPushSettings(new FakePushEnv());
    await vi.waitFor(() => expect(byTestId(root, "quiet-status")?.textContent).toBe("No quiet hours set."));
    typeInto(byTestId<HTMLInputElement>(root, "quiet-start"), "22:00");
    typeInto(byTestId<HTMLInputElement>(root, "quiet-end"), "07:00");
    await rendered();
    tap(byTestId(root, "quiet-save"));
    await vi.waitFor(() => expect(byTestId(root, "quiet-saved")).not.toBeNull());
    expect(server.push.quiet).toMatchObject({ quiet_start: "22:00", quiet_end: "07:00" });
    expect(byTestId(root, "quiet-status")?.textContent).toContain("Quiet from 22:00 to 07:00");

    typeInto(byTestId<HTMLInputElement>(root, "quiet-end"), "");
    await rendered();
    tap(byTestId(root, "quiet-save"));
    await vi.waitFor(() => expect(byTestId(root, "quiet-error")?.textContent).toContain("both times"));

    tap(byTestId(root, "quiet-clear"));
    await vi.waitFor(() => expect(byTestId(root, "quiet-status")?.textContent).toBe("No quiet hours set."));
    expect(server.push.quiet.quiet_start).toBeNull();
  });
});
