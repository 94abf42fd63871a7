// @vitest-environment happy-dom
// The shell as a person sees it: the sync bar (offline, pending, last sync, spinner) on every
// screen once logged in, the banners that ask for action, and only the login screen without a session.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { chooseLang } from "../i18n/i18n";
import { PICKER } from "../session/fake-server";
import { INITIAL_STATE, type SyncState } from "../sync/state";
import { navigate, route } from "./router";
import { bootTestShell, byTestId, mountApp, tap, type TestShell } from "./test-shell";

let current: { test: TestShell; unmount: () => void } | null = null;

beforeEach(() => chooseLang("en"));

afterEach(() => {
  current?.unmount();
  current?.test.shell.dispose();
  current = null;
});

async function loggedIn(): Promise<{ test: TestShell; root: HTMLElement }> {
  const test = await bootTestShell({ autoSync: false });
  await test.shell.logIn({ username: PICKER.username, password: PICKER.password }, async () => null);
  const { root, unmount } = mountApp(test.shell, "");
  current = { test, unmount };
  return { test, root };
}

function setState(test: TestShell, patch: Partial<SyncState>): void {
  test.shell.services.sync.state.update((s) => ({ ...s, ...patch }));
}

describe("App", () => {
  test("without a session only the login screen shows, whatever the route", async () => {
    const test = await bootTestShell();
    const { root, unmount } = mountApp(test.shell, "pick");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "login-screen")).not.toBeNull());
    expect(byTestId(root, "sync-bar")).toBeNull();
  });

  test("the sync bar shows the offline banner, pending count and last sync from the SyncState", async () => {
    const { test, root } = await loggedIn();
    await vi.waitFor(() => expect(byTestId(root, "home-screen")).not.toBeNull());
    setState(test, { ...INITIAL_STATE, online: false, pending: 3, lastSyncAt: Date.now() - 5 * 60_000 });
    await vi.waitFor(() => expect(byTestId(root, "offline-banner")).not.toBeNull());
    expect(byTestId(root, "offline-banner")?.textContent).toContain("Offline");
    expect(byTestId(root, "pending-count")?.textContent).toBe("3 waiting");
    expect(byTestId(root, "last-sync")?.textContent).toBe("Synced 5 min ago");
    expect(byTestId(root, "sync-spinner")).toBeNull();

    setState(test, { online: true, pending: 0, pushing: true });
    await vi.waitFor(() => expect(byTestId(root, "offline-banner")).toBeNull());
    expect(byTestId(root, "pending-count")?.textContent).toBe("All sent");
    expect(byTestId(root, "sync-spinner")).not.toBeNull();
    expect(byTestId(root, "last-sync")?.textContent).toBe("Syncing…");

    chooseLang("zh-CN");
    setState(test, { pushing: false, pending: 2 });
    await vi.waitFor(() => expect(byTestId(root, "pending-count")?.textContent).toBe("2 条待发送"));
  });

  test("tapping the sync bar opens the sync screen", async () => {
    const { root } = await loggedIn();
    await vi.waitFor(() => expect(byTestId(root, "sync-bar")).not.toBeNull());
    tap(byTestId(root, "sync-bar"));
    await vi.waitFor(() => expect(byTestId(root, "sync-screen")).not.toBeNull());
    expect(route.value.name).toBe("sync");
  });

  test("an expired login shows a banner that leads to the login form for the same person", async () => {
    const { test, root } = await loggedIn();
    setState(test, {
      pending: 4,
      halted: { kind: "auth", code: "token_invalid", status: 401, message: "", messageZh: "", detail: {} },
    });
    await vi.waitFor(() => expect(byTestId(root, "login-expired-banner")).not.toBeNull());
    expect(byTestId(root, "login-expired-banner")?.textContent).toContain("4 unsent operations stay on this phone");
    tap(byTestId(root, "banner-login"));
    await vi.waitFor(() => expect(byTestId(root, "login-again-as")).not.toBeNull());
    expect(byTestId(root, "login-again-as")?.textContent).toContain("李雷");
  });

  test("an update-the-app halt and a lost-state halt say what to do", async () => {
    const { test, root } = await loggedIn();
    const halt = { code: "client_too_old", status: 426, message: "update", messageZh: "更新", detail: {} };
    setState(test, { halted: { ...halt, kind: "upgrade" } });
    await vi.waitFor(() => expect(byTestId(root, "halt-banner")?.textContent).toContain("Update the app"));
    setState(test, { halted: { ...halt, kind: "lost_state", code: "sequence_reused" } });
    await vi.waitFor(() => expect(byTestId(root, "start-over")).not.toBeNull());
    tap(byTestId(root, "start-over"));
    await vi.waitFor(() => expect(byTestId(root, "start-over-warning")).not.toBeNull());
  });

  test("a screen the session may not use is refused", async () => {
    const { root } = await loggedIn();
    navigate("manager");
    await vi.waitFor(() => expect(byTestId(root, "no-access")).not.toBeNull());
  });
});
