// @vitest-environment happy-dom
// Settings: language, sound, storage status, version — and logging out, which warns about unsent
// ops (kept on the phone for the same person) and never deletes the outbox.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { beginTask } from "../app/activity";
import { bootTestShell, byTestId, mountApp, tap, type TestShell } from "../app/test-shell";
import { chooseLang, lang } from "../i18n/i18n";
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
