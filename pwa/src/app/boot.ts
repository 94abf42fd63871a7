// Builds the running app from its parts: the device database, the sync client and its loop, the
// API with the device token, and the session kept across reloads. Everything outside (fetch,
// storage, the browser's online events, the poke stream) can be injected, so a whole shell runs
// in tests over fake-indexeddb and a fake fetch.

import { computed, signal } from "@preact/signals";
import { version } from "../../package.json";
import { readMeta, updateMeta } from "../store/meta";
import { openCangkuDb } from "../store/open-db";
import { opsWithStatus } from "../store/outbox";
import type { CangkuDb } from "../store/schema";
import { SyncClient, type SyncClientOptions } from "../sync/client";
import { ssePokeSource, type PokeSource } from "../sync/poke";
import type { SyncState } from "../sync/state";
import { SyncLoop, browserOnlineSignal, type OnlineSignal } from "../sync/sync-loop";
import { fetchTransport } from "../sync/transport";
import { setMuted } from "../ui/feedback";
import { logIn, loginErrorOf, type ChooseWarehouse, type Credentials, type UserOut } from "../session/login";
import {
  hasPermission,
  loadOwner,
  loadSession,
  notePending,
  saveOwner,
  saveSession,
  SYNC_PERMISSION,
  type SavedSession,
} from "../session/records";
import { resetDeviceState } from "../session/reset-device";
import { browserStorage, type KeyValueStorage } from "../session/storage";
import { ApiError, createApi } from "./api";
import { forgetOnLogout, pushEnv } from "../notices/subscribe";
import { askPersistence, type StorageManagerLike } from "./persist";
import { navigate } from "./router";
import type { AppServices } from "./services";
import type { LostNotice, Shell, StartOverReason } from "./shell";

export const CLIENT_VERSION = `pwa ${version}`;
export const SOUND_KEY = "cangku.sound";

/** The parts of `navigator` the shell reads. */
export interface NavigatorLike {
  readonly userAgent?: string;
  readonly platform?: string;
  readonly onLine?: boolean;
  readonly storage?: StorageManagerLike;
}

export interface ShellOptions {
  /** An open database (tests); otherwise the device database is opened. */
  readonly db?: CangkuDb;
  readonly fetch?: typeof fetch;
  readonly baseUrl?: string;
  readonly storage?: KeyValueStorage;
  readonly navigator?: NavigatorLike;
  /** Default: the page's online/offline events. */
  readonly online?: OnlineSignal | null;
  /** Default: the SSE stream; null for none. */
  readonly poke?: PokeSource | null;
  /** Overrides for the sync client (tests: clock, sleep, attempts). */
  readonly sync?: Partial<Omit<SyncClientOptions, "db" | "transport" | "clientVersion">>;
  readonly now?: () => number;
  /** False: never start the SyncLoop ("sync now" still syncs); for tests that set the state by hand. */
  readonly autoSync?: boolean;
  /** Another tab opened a newer database: reload at the next task boundary. */
  readonly onVersionChange?: () => void;
}

function deviceNameOf(nav: NavigatorLike | undefined): string {
  const data = (nav as { userAgentData?: { platform?: string } } | undefined)?.userAgentData;
  const platform = data?.platform || nav?.platform || "browser";
  return `PWA ${platform}`;
}

export async function createShell(options: ShellOptions = {}): Promise<Shell> {
  const nav = options.navigator ?? (globalThis.navigator as NavigatorLike | undefined);
  const storage = options.storage ?? browserStorage();
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const base = options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl };
  const now = options.now ?? Date.now;
  const db =
    options.db ??
    (await openCangkuDb(options.onVersionChange === undefined ? {} : { onVersionChange: options.onVersionChange }));

  const client = new SyncClient({
    db,
    transport: fetchTransport({ fetch: doFetch, ...base }),
    clientVersion: CLIENT_VERSION,
    ...options.sync,
  });
  const poke =
    options.poke === null
      ? undefined
      : (options.poke ??
        ssePokeSource({ fetch: doFetch, ...base, token: async () => (await readMeta(db, "device")).token }));
  const onlineSource = options.online === undefined ? browserOnlineSignal() : options.online;

  // --- state the screens watch -------------------------------------------------------------------
  const syncState = signal<SyncState>(client.state.get());
  const session = signal<SavedSession | null>(null);
  const browserOnline = signal(nav?.onLine ?? true);
  const persisted = signal<boolean | null>(null);
  const lost = signal<LostNotice | null>(null);
  const revoked = signal(false);
  const apiAuthExpired = signal(false);
  const soundOn = signal(storage.getItem(SOUND_KEY) !== "off");
  setMuted(!soundOn.value);
  const needsLogin = computed(
    () => session.value !== null && (syncState.value.halted?.kind === "auth" || apiAuthExpired.value),
  );

  let token: string | null = null;
  let loop: SyncLoop | null = null;
  const cleanups: (() => void)[] = [];

  // --- restore: straight to home after an offline reload, or notice that storage was lost ----------
  const meta = await readMeta(db, "device");
  const owner = loadOwner(storage);
  const saved = loadSession(storage);
  if (owner !== null && meta.deviceId === null) {
    // Registered once, yet the database has no device: the browser evicted or cleared it (§9.4).
    lost.value = { reason: "storage_lost", count: owner.pending };
    saveOwner(storage, null);
    saveSession(storage, null);
  } else if (saved !== null && meta.token !== null && (saved.deviceId === "" || saved.deviceId === meta.deviceId)) {
    session.value = saved;
    token = meta.token;
  } else if (saved !== null) {
    saveSession(storage, null); // a session without its token: log in again
  }
  await client.refresh();

  // --- mirrors -------------------------------------------------------------------------------------
  let lastPending = -1;
  cleanups.push(
    client.state.subscribe((state) => {
      const wasHalted = syncState.value.halted;
      syncState.value = state;
      if (state.pending !== lastPending && session.value?.deviceId) {
        lastPending = state.pending;
        notePending(storage, state.pending);
      }
      if (state.halted?.kind === "auth" && wasHalted?.kind !== "auth") void checkRevoked();
    }),
  );
  if (onlineSource !== null) {
    cleanups.push(
      onlineSource.subscribe((online) => {
        browserOnline.value = online;
      }),
    );
  }
  void askPersistence(nav?.storage, storage).then((answer) => {
    persisted.value = answer;
  });

  /** A revoked device still has its pushes taken in, held with `device_revoked` (SPEC §3.4, §5.7). */
  async function checkRevoked(): Promise<void> {
    const held = await opsWithStatus(db, "held");
    if (held.some((op) => op.answer?.code === "device_revoked")) revoked.value = true;
  }

  function startLoop(): void {
    loop?.stop();
    loop = null;
    const current = session.value;
    if (current === null || current.deviceId === "" || !hasPermission(current, SYNC_PERMISSION)) return;
    if (options.autoSync === false) return;
    loop = new SyncLoop({ client, ...(poke === undefined ? {} : { poke }), online: onlineSource });
    loop.start();
  }

  const rawApi = createApi({ token: () => token, fetch: doFetch, ...base });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await rawApi<T>(method, path, body);
    } catch (error: unknown) {
      if (error instanceof ApiError && error.status === 401 && session.value !== null) apiAuthExpired.value = true;
      throw error;
    }
  };

  const services: AppServices = {
    db,
    sync: client,
    syncState,
    session,
    record: async (op) => {
      const recorded = await client.enqueue(op);
      void loop?.nudge();
      return recorded;
    },
    api,
  };

  function loginDeps() {
    return {
      db,
      storage,
      fetch: doFetch,
      ...base,
      deviceName: deviceNameOf(nav),
      platform: nav?.userAgent ?? "",
      now,
    };
  }

  function adopt(next: SavedSession, nextToken: string): void {
    token = nextToken;
    saveSession(storage, next);
    session.value = next;
    lost.value = null;
    revoked.value = false;
    apiAuthExpired.value = false;
    lastPending = -1;
    notePending(storage, syncState.value.pending);
  }

  const shell: Shell = {
    services,
    session,
    clientVersion: CLIENT_VERSION,
    browserOnline,
    persisted,
    lost,
    revoked,
    needsLogin,
    soundOn,

    async logIn(credentials: Credentials, choose: ChooseWarehouse): Promise<SavedSession> {
      const result = await logIn(loginDeps(), credentials, choose);
      if (result.device !== null) await client.setDevice(result.device);
      else await updateMeta(db, "device", (device) => ({ ...device, token: result.token }));
      await client.refresh();
      adopt(result.session, result.token);
      startLoop();
      return result.session;
    },

    async logInAgain(password: string): Promise<void> {
      const current = session.value;
      if (current === null) throw new Error("logInAgain without a session");
      const deviceId = current.deviceId === "" ? null : current.deviceId;
      const answer = await reLogin(current.username, password, deviceId);
      const next: SavedSession = {
        ...current,
        displayName: answer.user.display_name || current.username,
        permissions: [...(answer.user.permissions ?? current.permissions)].sort(),
        loggedInAt: now(),
      };
      if (deviceId === null) await updateMeta(db, "device", (device) => ({ ...device, token: answer.token }));
      else await client.setToken(answer.token); // also clears the halt: the outbox goes on (§9.3)
      adopt(next, answer.token);
      if (loop === null) startLoop();
      else void loop.nudge();
    },

    async logOut(): Promise<void> {
      loop?.stop();
      loop = null;
      const old = token;
      token = null;
      await updateMeta(db, "device", (device) => ({ ...device, token: null }));
      saveSession(storage, null);
      session.value = null;
      apiAuthExpired.value = false;
      revoked.value = false;
      client.resume();
      if (old !== null) {
        // With the leaving token: this phone stops getting their notices, then the token is
        // revoked. Offline, it simply expires.
        const leaving = createApi({ token: () => old, fetch: doFetch, ...base });
        void forgetOnLogout(pushEnv(), leaving)
          .then(() => leaving("POST", "/api/auth/logout"))
          .catch(() => null);
      }
      navigate("login");
    },

    async startOver(reason: StartOverReason): Promise<number> {
      loop?.stop();
      loop = null;
      const dropped = await resetDeviceState(db);
      saveOwner(storage, null);
      saveSession(storage, null);
      token = null;
      session.value = null;
      revoked.value = false;
      apiAuthExpired.value = false;
      client.resume();
      await client.refresh();
      lost.value = { reason, count: dropped };
      navigate("login");
      return dropped;
    },

    async syncNow(): Promise<void> {
      if (loop !== null) await loop.nudge();
      else if (hasPermission(session.value, SYNC_PERMISSION) && session.value?.deviceId) await client.sync();
    },

    setSound(on: boolean): void {
      soundOn.value = on;
      setMuted(!on);
      try {
        storage.setItem(SOUND_KEY, on ? "on" : "off");
      } catch {
        // storage blocked: the choice lasts for this page
      }
    },

    dismissLost(): void {
      lost.value = null;
    },

    dispose(): void {
      loop?.stop();
      loop = null;
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };

  async function reLogin(
    username: string,
    password: string,
    deviceId: string | null,
  ): Promise<{ token: string; user: UserOut }> {
    const loginApi = createApi({ token: () => null, fetch: doFetch, ...base });
    try {
      return await loginApi<{ token: string; user: UserOut }>("POST", "/api/auth/login", {
        username,
        password,
        ...(deviceId === null ? {} : { device_id: deviceId }),
      });
    } catch (error: unknown) {
      const failure = loginErrorOf(error);
      if (failure.problem.kind === "revoked") revoked.value = true;
      throw failure;
    }
  }

  startLoop();
  return shell;
}
