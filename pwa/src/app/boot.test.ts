// The shell over fake-indexeddb and a fake server: restore after an offline reload, who syncs,
// logout keeping the outbox, lost storage, and logging in again after the token expired.
import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeServer, MANAGER, PICKER } from "../session/fake-server";
import { loadOwner, loadSession } from "../session/records";
import { memoryStorage, type KeyValueStorage } from "../session/storage";
import { readMeta } from "../store/meta";
import { countUnacknowledged } from "../store/outbox";
import type { CangkuDb } from "../store/schema";
import { freshDb } from "../store/test-support";
import { ApiError } from "./api";
import type { Shell } from "./shell";
import { bootTestShell } from "./test-shell";

const shells: Shell[] = [];

afterEach(() => {
  for (const shell of shells.splice(0)) shell.dispose();
});

async function boot(server: FakeServer, db: CangkuDb, storage: KeyValueStorage): Promise<Shell> {
  const { shell } = await bootTestShell({ server, db, storage });
  shells.push(shell);
  return shell;
}

async function setup() {
  const server = new FakeServer();
  const db = await freshDb();
  const storage = memoryStorage();
  const shell = await boot(server, db, storage);
  return { server, db, storage, shell };
}

const pickerLogin = { username: PICKER.username, password: PICKER.password };
const move = { name: "warehouse.item_moved", payload: { sku_id: 1, from_location_id: 1, to_location_id: 2, qty: 1 } };

describe("boot and session", () => {
  test("with nothing stored the app waits for a login", async () => {
    const { shell, storage } = await setup();
    expect(shell.session.value).toBeNull();
    expect(shell.clientVersion).toMatch(/^pwa \d+\.\d+\.\d+/);
    await vi.waitFor(() => expect(shell.persisted.value).toBe(true));
    expect(storage.getItem("cangku.persist")).toBe("true");
  });

  test("after a reload while offline the session is back without the server", async () => {
    const { server, db, storage, shell } = await setup();
    await shell.logIn(pickerLogin, async () => null);
    shell.dispose();
    server.online = false;
    const before = server.requests.length;

    const reloaded = await boot(server, db, storage);
    expect(reloaded.session.value).toMatchObject({ username: "li.lei", warehouseId: 1 });
    expect(server.requests.slice(before).filter((r) => r.path.startsWith("/api/auth"))).toEqual([]);
    await reloaded.services.record(move);
    expect(reloaded.services.syncState.value.pending).toBe(1);
    await vi.waitFor(() => expect(reloaded.services.syncState.value.online).toBe(false));
  });

  test("a picker's login starts syncing; a manager's does not (the manager view uses the API)", async () => {
    const picker = await setup();
    await picker.shell.logIn(pickerLogin, async () => null);
    await vi.waitFor(() => expect(picker.server.paths()).toContain("POST /api/sync/pull"));

    const manager = await setup();
    await manager.shell.logIn(
      { username: MANAGER.username, password: MANAGER.password },
      async (options) => options[0] ?? null,
    );
    await manager.shell.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(manager.server.paths().filter((p) => p.includes("/api/sync/"))).toEqual([]);
    expect(manager.shell.session.value?.permissions).not.toContain("sync.use");
  });

  test("logout forgets the token but keeps the outbox and device id for the same person", async () => {
    const { server, db, storage, shell } = await setup();
    const session = await shell.logIn(pickerLogin, async () => null);
    await shell.services.record(move);

    await shell.logOut();
    expect(shell.session.value).toBeNull();
    expect(loadSession(storage)).toBeNull();
    const meta = await readMeta(db, "device");
    expect(meta).toEqual({ deviceId: session.deviceId, token: null, warehouseId: 1 });
    expect(await countUnacknowledged(db)).toBe(1);
    await vi.waitFor(() => expect(server.paths()).toContain("POST /api/auth/logout"));

    const devices = server.devices.size;
    const again = await shell.logIn(pickerLogin, async () => null);
    expect(again.deviceId).toBe(session.deviceId);
    expect(server.devices.size).toBe(devices);
    expect(await countUnacknowledged(db)).toBe(1);
  });

  test("storage lost since the last run is reported with the ops that could not be recovered", async () => {
    const { server, storage, shell } = await setup();
    await shell.logIn(pickerLogin, async () => null);
    await shell.services.record(move);
    await shell.services.record(move);
    expect(loadOwner(storage)?.pending).toBe(2);
    shell.dispose();

    const evicted = await boot(server, await freshDb(), storage);
    expect(evicted.lost.value).toEqual({ reason: "storage_lost", count: 2 });
    expect(evicted.session.value).toBeNull();
    expect(loadOwner(storage)).toBeNull();

    await evicted.logIn(pickerLogin, async () => null);
    expect(evicted.lost.value).toBeNull();
    expect(evicted.session.value?.deviceId).not.toBe("");
  });
});

describe("token expired or revoked", () => {
  test("a 401 halt asks for a login; logging in again keeps the device and the outbox", async () => {
    const { db, shell } = await setup();
    const session = await shell.logIn(pickerLogin, async () => null);
    await shell.services.record(move);
    shell.services.sync.state.update((s) => ({
      ...s,
      halted: { kind: "auth", code: "token_invalid", status: 401, message: "", messageZh: "", detail: {} },
    }));
    expect(shell.needsLogin.value).toBe(true);

    await shell.logInAgain(PICKER.password);
    expect(shell.needsLogin.value).toBe(false);
    expect(shell.services.syncState.value.halted).toBeNull();
    const meta = await readMeta(db, "device");
    expect(meta.deviceId).toBe(session.deviceId);
    expect(meta.token).not.toBeNull();
    expect(await countUnacknowledged(db)).toBe(1);
  });

  test("a 401 from the API also asks for a login", async () => {
    const { server, shell } = await setup();
    await shell.logIn(pickerLogin, async () => null);
    server.tokens.clear();
    await expect(shell.services.api("GET", "/api/warehouses")).rejects.toBeInstanceOf(ApiError);
    expect(shell.needsLogin.value).toBe(true);
  });

  test("held pushes with device_revoked mark the phone as revoked; starting over loses the unsent ops", async () => {
    const { db, storage, shell } = await setup();
    await shell.logIn(pickerLogin, async () => null);
    const held = await shell.services.record(move);
    await db.put("outbox", {
      ...held,
      status: "held",
      answer: {
        status: "held",
        code: "device_revoked",
        message: "device revoked",
        message_zh: "设备已停用",
        result: {},
        exceptions: [],
        replayed: false,
      },
    });
    await shell.services.record(move);
    shell.services.sync.state.update((s) => ({
      ...s,
      halted: { kind: "auth", code: "token_invalid", status: 401, message: "", messageZh: "", detail: {} },
    }));
    await vi.waitFor(() => expect(shell.revoked.value).toBe(true));

    const dropped = await shell.startOver("revoked");
    expect(dropped).toBe(1);
    expect(shell.lost.value).toEqual({ reason: "revoked", count: 1 });
    expect(shell.session.value).toBeNull();
    expect(loadOwner(storage)).toBeNull();
    expect((await readMeta(db, "device")).deviceId).toBeNull();
    expect(await db.count("outbox")).toBe(0);
  });
});
