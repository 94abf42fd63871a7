// Logging in (SPEC §3): password login, device registration when this phone has no device id for
// this person, then a device-bound login. Written against an injected `fetch` and database so the
// whole flow runs in tests without a server; the shell (app/boot.ts) applies the result.

import { ApiError, createApi } from "../app/api";
import type { Bilingual } from "../i18n/i18n";
import { readMeta, updateMeta } from "../store/meta";
import { countUnacknowledged } from "../store/outbox";
import type { DeviceMeta } from "../store/records";
import type { CangkuDb } from "../store/schema";
import { NetworkError } from "../sync/transport";
import { loadOwner, saveOwner, type SavedSession, type WarehouseLabel } from "./records";
import { resetDeviceState } from "./reset-device";
import type { KeyValueStorage } from "./storage";
import { labelOfWarehouse, listWarehouseLabels, placeholderLabel, type WarehouseOut } from "./warehouses";

/** The server's `UserOut` (server/auth/schemas.py). */
export interface UserOut {
  readonly id: number;
  readonly username: string;
  readonly display_name: string;
  readonly roles: readonly string[];
  readonly all_warehouses: boolean;
  readonly warehouse_ids: readonly number[];
  readonly permissions?: readonly string[];
}

interface TokenOut {
  readonly token: string;
  readonly user: UserOut;
}

export type LoginProblem =
  /** Wrong name or password: the server's own words. */
  | { readonly kind: "bad_credentials"; readonly text: Bilingual }
  /** No answer from the server. */
  | { readonly kind: "offline" }
  | { readonly kind: "rate_limited"; readonly text: Bilingual; readonly retryAfterS: number | null }
  /** This phone's device id was revoked (lost phone): register again to go on. */
  | { readonly kind: "revoked" }
  /** Another person's unsent ops are on this phone: they must log in and send them first. */
  | { readonly kind: "other_user_pending"; readonly owner: string | null; readonly count: number }
  | { readonly kind: "no_warehouse" }
  /** The person closed the warehouse choice. */
  | { readonly kind: "cancelled" }
  /** Any other refusal, in the server's words. */
  | { readonly kind: "refused"; readonly code: string; readonly text: Bilingual };

export class LoginError extends Error {
  override readonly name = "LoginError";
  readonly problem: LoginProblem;

  constructor(problem: LoginProblem) {
    super(`login failed: ${problem.kind}`);
    this.problem = problem;
  }
}

export interface LoginDeps {
  readonly db: CangkuDb;
  readonly storage: KeyValueStorage;
  readonly fetch: typeof fetch;
  readonly baseUrl?: string;
  /** Shown in the supervisor's device list, e.g. "PWA Android". */
  readonly deviceName: string;
  /** The browser's user agent (≤ 256 characters). */
  readonly platform: string;
  readonly now: () => number;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Asks the person to pick a warehouse; null if they cancel. */
export type ChooseWarehouse = (options: readonly WarehouseLabel[]) => Promise<WarehouseLabel | null>;

export interface LoginResult {
  readonly session: SavedSession;
  readonly token: string;
  /** The device to store (`client.setDevice`); null for a person who may not register devices. */
  readonly device: DeviceMeta | null;
  /** Acknowledged-only history dropped because the phone became a new device (0 otherwise). */
  readonly reset: boolean;
}

/** A login failure in the person's terms; anything else (a bug) is rethrown. */
export function loginErrorOf(error: unknown): LoginError {
  if (error instanceof LoginError) return error;
  if (error instanceof NetworkError) return new LoginError({ kind: "offline" });
  if (error instanceof ApiError) {
    if (error.code === "bad_credentials") return new LoginError({ kind: "bad_credentials", text: error.text });
    if (error.code === "device_revoked") return new LoginError({ kind: "revoked" });
    if (error.status === 429) {
      const detail = error.detail as { retry_after?: unknown } | null;
      const seconds = typeof detail?.retry_after === "number" ? detail.retry_after : null;
      return new LoginError({ kind: "rate_limited", text: error.text, retryAfterS: seconds });
    }
    return new LoginError({ kind: "refused", code: error.code, text: error.text });
  }
  throw error;
}

export async function logIn(deps: LoginDeps, credentials: Credentials, choose: ChooseWarehouse): Promise<LoginResult> {
  try {
    return await run(deps, credentials, choose);
  } catch (error: unknown) {
    throw loginErrorOf(error);
  }
}

async function run(deps: LoginDeps, credentials: Credentials, choose: ChooseWarehouse): Promise<LoginResult> {
  let token: string | null = null;
  const api = createApi({
    token: () => token,
    fetch: deps.fetch,
    ...(deps.baseUrl === undefined ? {} : { baseUrl: deps.baseUrl }),
  });
  const login = (deviceId: string | null): Promise<TokenOut> =>
    api<TokenOut>("POST", "/api/auth/login", {
      username: credentials.username,
      password: credentials.password,
      ...(deviceId === null ? {} : { device_id: deviceId }),
    });
  const warehouseLabel = async (id: number): Promise<WarehouseLabel> => {
    try {
      return labelOfWarehouse(await api<WarehouseOut>("GET", `/api/warehouses/${id}`));
    } catch (error: unknown) {
      if (error instanceof ApiError || error instanceof NetworkError) return placeholderLabel(id);
      throw error;
    }
  };

  const meta = await readMeta(deps.db, "device");
  const owner = loadOwner(deps.storage);
  const sameOwner = owner !== null && owner.username === credentials.username && owner.deviceId === meta.deviceId;

  // The same person on their own device: one device-bound login, the outbox goes on as it is (§9.3).
  if (meta.deviceId !== null && sameOwner) {
    const answer = await login(meta.deviceId);
    token = answer.token;
    const warehouseId = meta.warehouseId ?? owner.warehouseId;
    const device = { deviceId: meta.deviceId, token: answer.token, warehouseId };
    const session = sessionOf(answer.user, device.deviceId, await warehouseLabel(warehouseId), deps);
    return { session, token: answer.token, device, reset: false };
  }

  const first = await login(null);
  token = first.token;
  const user = first.user;
  const permissions = user.permissions ?? [];
  try {
    if (meta.deviceId !== null) {
      // Someone else's device id (a device belongs to one user): its unsent ops must go first.
      const pending = await countUnacknowledged(deps.db);
      if (pending > 0) {
        throw new LoginError({ kind: "other_user_pending", owner: owner?.username ?? null, count: pending });
      }
    }
    const warehouse = await chooseWarehouse(api, user, choose);
    if (!permissions.includes("devices.register")) {
      // Read-only roles (finance) get no device: they use the API with this token.
      return { session: sessionOf(user, "", warehouse, deps), token: first.token, device: null, reset: false };
    }
    const reset = meta.deviceId !== null;
    if (reset) await resetDeviceState(deps.db);
    const registered = await api<{ id: string }>("POST", "/api/devices", {
      name: deps.deviceName.slice(0, 128),
      platform: deps.platform.slice(0, 256),
      warehouse_id: warehouse.id,
    });
    const bound = await login(registered.id);
    const device = { deviceId: registered.id, token: bound.token, warehouseId: warehouse.id };
    // The device meta before the owner record: an owner without a device id in the database reads
    // as lost storage at the next start.
    await updateMeta(deps.db, "device", () => device);
    saveOwner(deps.storage, {
      deviceId: registered.id,
      userId: user.id,
      username: user.username,
      warehouseId: warehouse.id,
      pending: 0,
    });
    void revoke(api); // the unbound token (read synchronously by the call) is no longer needed
    token = bound.token;
    return { session: sessionOf(bound.user, registered.id, warehouse, deps), token: bound.token, device, reset };
  } catch (error: unknown) {
    if (token === first.token) void revoke(api);
    throw error;
  }
}

async function revoke(api: ReturnType<typeof createApi>): Promise<void> {
  try {
    await api("POST", "/api/auth/logout");
  } catch {
    // offline or already invalid: it expires on its own
  }
}

async function chooseWarehouse(
  api: ReturnType<typeof createApi>,
  user: UserOut,
  choose: ChooseWarehouse,
): Promise<WarehouseLabel> {
  let listed: WarehouseLabel[] = [];
  try {
    listed = await listWarehouseLabels(api);
  } catch (error: unknown) {
    if (!(error instanceof ApiError)) throw error; // offline mid-login: say so
  }
  const allowed = user.all_warehouses ? listed : listed.filter((w) => user.warehouse_ids.includes(w.id));
  const options =
    allowed.length > 0 || user.all_warehouses ? allowed : user.warehouse_ids.map((id) => placeholderLabel(id));
  if (options.length === 0) throw new LoginError({ kind: "no_warehouse" });
  if (options.length === 1) return options[0] as WarehouseLabel;
  const picked = await choose(options);
  if (picked === null) throw new LoginError({ kind: "cancelled" });
  return picked;
}

function sessionOf(user: UserOut, deviceId: string, warehouse: WarehouseLabel, deps: LoginDeps): SavedSession {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name || user.username,
    permissions: [...(user.permissions ?? [])].sort(),
    deviceId,
    warehouseId: warehouse.id,
    warehouse,
    loggedInAt: deps.now(),
  };
}
