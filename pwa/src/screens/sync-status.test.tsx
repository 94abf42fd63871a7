// @vitest-environment happy-dom
// The sync screen lists recent ops with their outcome in words and syncs on demand.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { bootTestShell, byTestId, mountApp, tap, type TestShell } from "../app/test-shell";
import { chooseLang } from "../i18n/i18n";
import { PICKER } from "../session/fake-server";

let current: { test: TestShell; unmount: () => void } | null = null;

beforeEach(() => chooseLang("en"));

afterEach(() => {
  current?.unmount();
  current?.test.shell.dispose();
  current = null;
});

const move = { name: "warehouse.item_moved", payload: { sku_id: 1, from_location_id: 1, to_location_id: 2, qty: 1 } };

describe("sync screen", () => {
  test("each op's outcome in words, newest first, with bin codes from the store", async () => {
    const test = await bootTestShell({ autoSync: false });
    await test.shell.logIn({ username: PICKER.username, password: PICKER.password }, async () => null);
    const first = await test.shell.services.record(move);
    const second = await test.shell.services.record(move);
    await test.shell.services.record(move);
    await test.db.put("location", {
      id: 12,
      code: "A-01-03",
      barcode: null,
      type: "bin",
      zone_id: null,
      walking_sequence: null,
      frozen: false,
      active: true,
    });
    const answer = { code: "", message: "", message_zh: "", result: {}, exceptions: [], replayed: false };
    await test.db.put("outbox", {
      ...first,
      status: "excepted",
      answer: {
        ...answer,
        status: "applied_with_exception",
        exceptions: [{ kind: "count_task", message: "", message_zh: "", ref: { task_id: 3, location_id: 12 } }],
      },
    });
    await test.db.put("outbox", {
      ...second,
      status: "rejected",
      answer: { ...answer, status: "rejected", code: "bin_frozen", message: "bin A-01-03 is frozen", message_zh: "库位已冻结" },
    });

    const { root, unmount } = mountApp(test.shell, "sync");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "sync-ops")).not.toBeNull());
    const outcomes = [...root.querySelectorAll('[data-testid="op-outcome"]')].map((el) => el.textContent);
    expect(outcomes).toEqual(["waiting", "rejected: bin A-01-03 is frozen", "synced with exception: count task opened for A-01-03"]);
    expect(byTestId(root, "op-1")?.textContent).toContain("Moved");
    expect(byTestId(root, "sync-pending")?.textContent).toBe("3");
  });

  test("sync now pushes and pulls at once", async () => {
    const test = await bootTestShell({ autoSync: false });
    await test.shell.logIn({ username: PICKER.username, password: PICKER.password }, async () => null);
    await test.shell.services.record(move);
    const { root, unmount } = mountApp(test.shell, "sync");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "sync-now")).not.toBeNull());
    expect(test.server.paths()).not.toContain("POST /api/sync/push");
    tap(byTestId(root, "sync-now"));
    await vi.waitFor(() => expect(test.server.paths()).toContain("POST /api/sync/push"));
    await vi.waitFor(() => expect(byTestId(root, "sync-last-error")?.textContent).toBe("server busy"));
  });

  test("an empty outbox says so", async () => {
    const test = await bootTestShell({ autoSync: false });
    await test.shell.logIn({ username: PICKER.username, password: PICKER.password }, async () => null);
    const { root, unmount } = mountApp(test.shell, "sync");
    current = { test, unmount };
    await vi.waitFor(() => expect(byTestId(root, "sync-no-ops")).not.toBeNull());
  });
});
