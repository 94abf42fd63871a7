// @vitest-environment happy-dom
// The login screen against a fake server: success lands on home, and each failure is shown in
// words the person can act on.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { bootTestShell, byTestId, mountApp, tap, typeInto, type TestShell } from "../app/test-shell";
import { chooseLang } from "../i18n/i18n";
import { MANAGER, PICKER } from "../session/fake-server";

let current: { test: TestShell; unmount: () => void } | null = null;

beforeEach(() => chooseLang("en"));

afterEach(() => {
  current?.unmount();
  current?.test.shell.dispose();
  current = null;
});

async function open(configure: (test: TestShell) => void = () => undefined) {
  const test = await bootTestShell({ autoSync: false });
  configure(test);
  const { root, unmount } = mountApp(test.shell, "");
  current = { test, unmount };
  await vi.waitFor(() => expect(byTestId(root, "login-screen")).not.toBeNull());
  return { test, root };
}

function submit(root: HTMLElement, username: string, password: string): void {
  typeInto(byTestId<HTMLInputElement>(root, "login-username"), username);
  typeInto(byTestId<HTMLInputElement>(root, "login-password"), password);
  tap(byTestId(root, "login-submit"));
}

describe("login screen", () => {
  test("a right password registers the phone and opens home with the person's menu", async () => {
    const { test, root } = await open();
    submit(root, PICKER.username, PICKER.password);
    await vi.waitFor(() => expect(byTestId(root, "home-screen")).not.toBeNull());
    expect(byTestId(root, "home-user")?.textContent).toBe("李雷");
    expect(byTestId(root, "home-warehouse")?.textContent).toBe("SH1 · Shanghai 1");
    expect(byTestId(root, "menu-pick")).not.toBeNull();
    expect(byTestId(root, "menu-supervisor")).toBeNull();
    expect(test.server.paths()).toContain("POST /api/devices");
  });

  test("a wrong password shows the server's message", async () => {
    const { root } = await open();
    submit(root, PICKER.username, "wrong");
    await vi.waitFor(() => expect(byTestId(root, "login-error")).not.toBeNull());
    expect(byTestId(root, "login-error")?.textContent).toBe("wrong user name or password");
    chooseLang("zh-CN");
    await vi.waitFor(() => expect(byTestId(root, "login-error")?.textContent).toBe("用户名或密码错误"));
  });

  test("offline: the first login needs the network", async () => {
    const { root } = await open((test) => {
      test.server.online = false;
    });
    submit(root, PICKER.username, PICKER.password);
    await vi.waitFor(() => expect(byTestId(root, "login-error")).not.toBeNull());
    expect(byTestId(root, "login-error")?.textContent).toContain("The first login on this phone needs the network");
  });

  test("rate limited: says how long to wait", async () => {
    const { root } = await open((test) => {
      test.server.rateLimited = true;
    });
    submit(root, PICKER.username, PICKER.password);
    await vi.waitFor(() => expect(byTestId(root, "login-error")?.textContent).toBe(
      "Too many failed logins. Wait 5 min and try again.",
    ));
  });

  test("a person with several warehouses taps one", async () => {
    const { test, root } = await open();
    submit(root, MANAGER.username, MANAGER.password);
    await vi.waitFor(() => expect(byTestId(root, "warehouse-2")).not.toBeNull());
    tap(byTestId(root, "warehouse-2"));
    await vi.waitFor(() => expect(byTestId(root, "home-screen")).not.toBeNull());
    expect(test.shell.session.value?.warehouseId).toBe(2);
    expect(byTestId(root, "menu-manager")).not.toBeNull();
    expect(byTestId(root, "menu-pick")).toBeNull();
  });

  test("a revoked phone is told so plainly, and can be registered again", async () => {
    const { test, root } = await open();
    submit(root, PICKER.username, PICKER.password);
    await vi.waitFor(() => expect(byTestId(root, "home-screen")).not.toBeNull());
    const first = test.shell.session.value?.deviceId ?? "";
    await test.shell.logOut();
    test.server.revokedDevices.add(first);
    await vi.waitFor(() => expect(byTestId(root, "login-screen")).not.toBeNull());
    submit(root, PICKER.username, PICKER.password);
    await vi.waitFor(() => expect(byTestId(root, "login-error")?.textContent).toContain("switched off by a supervisor"));
    tap(byTestId(root, "login-start-over"));
    await vi.waitFor(() => expect(byTestId(root, "home-screen")).not.toBeNull());
    expect(test.shell.session.value?.deviceId).not.toBe(first);
  });
});
