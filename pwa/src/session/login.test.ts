// The login flow against a fake server: registration on first login, reuse of the device id by the
// same person, and each failure as the person will read it.
import { describe, expect, test, vi } from "vitest";
import { readMeta, updateMeta } from "../store/meta";
import { freshDb } from "../store/test-support";
import { LoginError, logIn, type LoginDeps, type LoginProblem } from "./login";
import { FakeServer, MANAGER, PICKER } from "./fake-server";
import { loadOwner, saveOwner } from "./records";
import { memoryStorage } from "./storage";
import { countUnacknowledged, recordOp } from "../store/outbox";

async function setup() {
  const server = new FakeServer();
  const db = await freshDb();
  const storage = memoryStorage();
  const deps: LoginDeps = {
    db,
    storage,
    fetch: server.fetch,
    deviceName: "PWA Linux",
    platform: "Mozilla/5.0 (test)",
    now: () => 1_000,
  };
  return { server, db, storage, deps };
}

const noChoice = () => Promise.reject(new Error("no choice expected"));

async function problemOf(promise: Promise<unknown>): Promise<LoginProblem> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoginError);
  return (error as LoginError).problem;
}

describe("first login on a phone", () => {
  test("logs in, registers the device in the user's warehouse, and logs in again bound to it", async () => {
    const { server, db, storage, deps } = await setup();
    const result = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);

    const calls = server.paths();
    expect(calls.slice(0, 4)).toEqual([
      "POST /api/auth/login",
      "GET /api/warehouses",
      "POST /api/devices",
      "POST /api/auth/login",
    ]);
    const register = server.requests[2];
    expect(register?.body).toEqual({ name: "PWA Linux", platform: "Mozilla/5.0 (test)", warehouse_id: 1 });
    const deviceId = result.device?.deviceId ?? "";
    expect(server.requests[3]?.body).toEqual({ username: "li.lei", password: PICKER.password, device_id: deviceId });
    expect(server.tokens.get(result.token)).toEqual({ userId: 7, deviceId });

    expect(result.session).toMatchObject({
      userId: 7,
      username: "li.lei",
      displayName: "李雷",
      deviceId,
      warehouseId: 1,
      warehouse: { id: 1, code: "SH1", name: { en: "Shanghai 1", zh: "上海一仓" } },
    });
    expect(result.session.permissions).toContain("sync.use");
    expect(await readMeta(db, "device")).toEqual({ deviceId, token: result.token, warehouseId: 1 });
    expect(loadOwner(storage)).toMatchObject({ deviceId, userId: 7, username: "li.lei", warehouseId: 1 });
    // The unbound first token is given back.
    await vi.waitFor(() => expect(server.paths()).toContain("POST /api/auth/logout"));
    expect(server.requests.find((r) => r.path === "/api/auth/logout")?.token).toBe("tok-1");
  });

  test("a person with several warehouses picks one", async () => {
    const { server, deps } = await setup();
    const offered: string[] = [];
    const result = await logIn(deps, { username: MANAGER.username, password: MANAGER.password }, async (options) => {
      offered.push(...options.map((w) => w.code));
      return options[1] ?? null;
    });
    expect(offered).toEqual(["SH1", "GZ1"]);
    expect(result.session.warehouseId).toBe(2);
    expect(server.requests.find((r) => r.path === "/api/devices")?.body?.["warehouse_id"]).toBe(2);
  });

  test("cancelling the warehouse choice registers nothing", async () => {
    const { server, deps } = await setup();
    const problem = await problemOf(
      logIn(deps, { username: MANAGER.username, password: MANAGER.password }, async () => null),
    );
    expect(problem.kind).toBe("cancelled");
    expect(server.devices.size).toBe(0);
  });

  test("a wrong password is refused in the server's words, in both languages", async () => {
    const { server, db, deps } = await setup();
    const problem = await problemOf(logIn(deps, { username: "li.lei", password: "nope" }, noChoice));
    expect(problem).toEqual({
      kind: "bad_credentials",
      text: { en: "wrong user name or password", zh: "用户名或密码错误" },
    });
    expect(server.devices.size).toBe(0);
    expect((await readMeta(db, "device")).deviceId).toBeNull();
  });

  test("offline: says the first login needs the network", async () => {
    const { server, deps } = await setup();
    server.online = false;
    expect(await problemOf(logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice))).toEqual({
      kind: "offline",
    });
  });

  test("rate limited: keeps the server's wait", async () => {
    const { server, deps } = await setup();
    server.rateLimited = true;
    const problem = await problemOf(logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice));
    expect(problem).toMatchObject({ kind: "rate_limited", retryAfterS: 300 });
  });
});

describe("later logins", () => {
  test("the same person reuses the device id with one device-bound login; the outbox stays", async () => {
    const { server, db, deps } = await setup();
    const first = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    await recordOp(
      db,
      { opId: "op-000001", name: "warehouse.item_moved", version: 1, payload: {}, wallTime: "", recordedAt: 1 },
      () => ({ hlc: "x", lastStamp: null }),
    );
    await updateMeta(db, "device", (d) => ({ ...d, token: null })); // logged out
    server.requests.length = 0;

    const again = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    expect(server.paths()).toEqual(["POST /api/auth/login", "GET /api/warehouses/1"]);
    expect(server.requests[0]?.body?.["device_id"]).toBe(first.device?.deviceId);
    expect(again.device?.deviceId).toBe(first.device?.deviceId);
    expect(again.session.warehouse?.code).toBe("SH1");
    expect(await countUnacknowledged(db)).toBe(1);
  });

  test("a revoked device is told so", async () => {
    const { server, deps } = await setup();
    const first = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    server.revokedDevices.add(first.device?.deviceId ?? "");
    expect(await problemOf(logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice))).toEqual({
      kind: "revoked",
    });
  });

  test("another person cannot take over a phone holding someone's unsent ops", async () => {
    const { server, db, deps } = await setup();
    await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    await recordOp(
      db,
      { opId: "op-000002", name: "warehouse.item_moved", version: 1, payload: {}, wallTime: "", recordedAt: 1 },
      () => ({ hlc: "x", lastStamp: null }),
    );
    const devices = server.devices.size;
    const problem = await problemOf(
      logIn(deps, { username: MANAGER.username, password: MANAGER.password }, async (o) => o[0] ?? null),
    );
    expect(problem).toEqual({ kind: "other_user_pending", owner: "li.lei", count: 1 });
    expect(server.devices.size).toBe(devices);
    expect(await countUnacknowledged(db)).toBe(1);
  });

  test("another person on a phone with nothing unsent gets a new device of their own", async () => {
    const { db, storage, deps } = await setup();
    const first = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    const second = await logIn(
      deps,
      { username: MANAGER.username, password: MANAGER.password },
      async (o) => o[0] ?? null,
    );
    expect(second.device?.deviceId).not.toBe(first.device?.deviceId);
    expect(second.reset).toBe(true);
    expect(loadOwner(storage)?.username).toBe(MANAGER.username);
    expect((await readMeta(db, "clock")).nextSeq).toBe(1);
  });

  test("an owner record from an older device is not trusted over the database", async () => {
    const { server, deps, storage } = await setup();
    saveOwner(storage, { deviceId: "gone", userId: 7, username: "li.lei", warehouseId: 1, pending: 0 });
    const result = await logIn(deps, { username: "li.lei", password: PICKER.password }, noChoice);
    expect(server.paths()).toContain("POST /api/devices");
    expect(result.device?.deviceId).not.toBe("gone");
  });
});
