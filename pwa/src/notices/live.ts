// The page's side of notifications, started once with the shell (main.tsx): it keeps the worker
// informed (language, whose phone it is), hands the push subscription over again at start and
// login, refreshes the centre from the server when online, follows the worker's messages (a new
// notification, a tap that opens a screen) and counts the unread ones for the menu.

import { effect, signal, type ReadonlySignal } from "@preact/signals";
import type { Shell } from "../app/shell";
import { lang } from "../i18n/i18n";
import type { PageMessage } from "../pwa/sw-types";
import { refreshFromServer } from "./centre";
import { clearNotices, countUnread, getSetting, openNoticesDb, putSetting, type NoticesDb } from "./store";
import { pushEnv, resubscribe, type PushEnv } from "./subscribe";

const unread = signal(0);
const changes = signal(0);

/** Unread notifications kept on this phone (the menu's badge). */
export const unreadNotices: ReadonlySignal<number> = unread;
/** Bumped whenever the kept notifications change (a push, a tap in the worker, a refresh). */
export const noticesChanged: ReadonlySignal<number> = changes;

let opener: () => Promise<NoticesDb> = () => openNoticesDb();
let opened: Promise<NoticesDb> | null = null;

/** The page's one connection to the notices database. */
export function noticesDb(): Promise<NoticesDb> {
  opened ??= opener().catch((error: unknown) => {
    opened = null;
    throw error;
  });
  return opened;
}

/** Tests: another database (fake-indexeddb, one per test). */
export function useNoticesDb(open: () => Promise<NoticesDb>): void {
  opener = open;
  opened = null;
}

/** Re-reads the unread count and tells the screens that the rows changed. */
export async function noticesTouched(): Promise<void> {
  try {
    unread.value = await countUnread(await noticesDb());
  } catch {
    // storage unavailable: the badge stays as it was
  }
  changes.value += 1;
}

export interface LiveOptions {
  readonly push?: PushEnv;
  /** Where the worker's messages come from; default `navigator.serviceWorker`. */
  readonly container?: Pick<ServiceWorkerContainer, "addEventListener" | "removeEventListener"> | null;
  readonly online?: () => boolean;
  readonly now?: () => number;
  /** Follow a tap's route; default: set `location.hash`. */
  readonly open?: (route: string) => void;
  readonly testHooks?: boolean;
}

function testHooksWanted(): boolean {
  try {
    return globalThis.localStorage?.getItem("cangku.testHooks") === "1";
  } catch {
    return false;
  }
}

/** Starts everything above; answers a stop (tests, a page about to go). */
export function installNotices(shell: Shell, options: LiveOptions = {}): () => void {
  const push = options.push ?? pushEnv();
  const container =
    options.container === undefined ? (globalThis.navigator?.serviceWorker ?? null) : options.container;
  const now = options.now ?? Date.now;
  const online = options.online ?? (() => globalThis.navigator?.onLine ?? true);
  const open =
    options.open ??
    ((route: string) => {
      globalThis.location.hash = route;
    });
  const api = shell.services.api;
  const stops: (() => void)[] = [];
  let refreshing: Promise<void> | null = null;

  const withDb = async (work: (db: NoticesDb) => Promise<void>): Promise<void> => {
    try {
      await work(await noticesDb());
    } catch (error: unknown) {
      console.warn("notifications storage", error);
    }
  };

  const refresh = (): Promise<void> => {
    if (shell.session.peek() === null || !online()) return Promise.resolve();
    refreshing ??= withDb(async (db) => {
      await refreshFromServer(db, api, now);
    }).finally(() => {
      refreshing = null;
      void noticesTouched();
    });
    return refreshing;
  };

  const onMessage = (event: Event): void => {
    const message = (event as MessageEvent<PageMessage | null>).data;
    if (message?.type === "NOTICE") void noticesTouched();
    else if (message?.type === "OPEN" && typeof message.route === "string" && message.route.startsWith("#/")) {
      open(message.route);
    }
  };
  if (container !== null) {
    container.addEventListener("message", onMessage);
    stops.push(() => container.removeEventListener("message", onMessage));
  }

  if (options.testHooks ?? testHooksWanted()) void withDb((db) => putSetting(db, "testHooks", true));

  // The worker shows notifications in the app's language, which only the page knows.
  stops.push(
    effect(() => {
      const chosen = lang.value; // read here, so the effect follows it
      void withDb((db) => putSetting(db, "lang", chosen));
    }),
  );

  let user: number | null = null;
  stops.push(
    effect(() => {
      const session = shell.session.value;
      const next = session?.userId ?? null;
      if (next === user) return;
      user = next;
      if (next === null) return;
      void (async () => {
        await withDb(async (db) => {
          // Another person's notifications never show on a shared phone.
          if ((await getSetting(db, "user")) !== next) {
            await clearNotices(db);
            await putSetting(db, "user", next);
          }
        });
        await noticesTouched();
        await resubscribe(push, api);
        await refresh();
      })();
    }),
  );

  const onOnline = (): void => void refresh();
  globalThis.addEventListener?.("online", onOnline);
  stops.push(() => globalThis.removeEventListener?.("online", onOnline));

  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

/** The centre's refresh button and first paint use the same path as start and "online". */
export async function refreshNotices(shell: Shell, now: () => number = Date.now) {
  const db = await noticesDb();
  const result = await refreshFromServer(db, shell.services.api, now);
  await noticesTouched();
  return result;
}
