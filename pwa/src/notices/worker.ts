// What the service worker does with a push and with a tap on a notification, written against a
// small `WorkerEnv` so Vitest can run it over fake-indexeddb with fake windows (src/sw.ts passes
// the real `self`). Bundled into sw.js: it imports only the notices modules and idb.

import { deviceLang, type Lang } from "../i18n/device-lang";
import type { PageMessage } from "../pwa/sw-types";
import { parsePayload, routeOf, windowUrl, type PushPayload } from "./payload";
import { addPush, getSetting, markPushRead, type NoticeRecord, type NoticesDb } from "./store";

export const ICON = "/icons/icon-192.png";

/** What `showNotification` is given (the DOM typings lack `timestamp` and `renotify`). */
export interface ShowOptions {
  readonly body: string;
  readonly tag: string;
  readonly data: NoticeData;
  readonly icon: string;
  readonly timestamp: number;
  readonly renotify: boolean;
  readonly lang: string;
}

/** Carried by the shown notification, for the tap: where it leads and which centre rows it marks read. */
export interface NoticeData {
  readonly url: string;
  /** The centre's push row (store.ts); null when it could not be kept. */
  readonly key: string | null;
  readonly kind: string;
  readonly at: number;
  readonly count: number;
}

export interface ShownNotification {
  readonly tag: string;
  readonly data: unknown;
  close(): void;
}

export interface WindowLike {
  readonly url: string;
  readonly focused?: boolean;
  focus(): Promise<unknown>;
  postMessage(message: PageMessage): void;
}

export interface WorkerEnv {
  /** The app's origin, e.g. "https://wms.example.com". */
  readonly origin: string;
  /** `self.navigator.language`: the language when the page never said. */
  readonly language: string;
  readonly db: () => Promise<NoticesDb>;
  readonly now: () => number;
  showNotification(title: string, options: ShowOptions): Promise<void>;
  getNotifications(tag?: string): Promise<readonly ShownNotification[]>;
  /** The app's open windows, controlled by this worker or not. */
  windows(): Promise<readonly WindowLike[]>;
  openWindow(url: string): Promise<unknown>;
}

/** The page's choice (kept in the notices database), else the phone's language. */
export async function chosenLang(env: WorkerEnv): Promise<Lang> {
  try {
    const stored = await getSetting(await env.db(), "lang");
    if (stored === "en" || stored === "zh-CN") return stored;
  } catch {
    // no database (private mode, quota): follow the phone
  }
  return deviceLang([env.language]);
}

function pick(lang: Lang, text: { en: string; zh: string }): string {
  return lang === "en" ? text.en : text.zh;
}

async function tell(env: WorkerEnv, message: PageMessage): Promise<void> {
  for (const window of await env.windows()) {
    try {
      window.postMessage(message);
    } catch {
      // a window closing meanwhile
    }
  }
}

/**
 * A push: kept for the centre, shown, and announced to open pages. Showing comes whatever else
 * fails (a push that shows nothing breaks the browser's userVisibleOnly promise).
 */
export async function handlePush(env: WorkerEnv, data: string | null): Promise<PushPayload> {
  const payload = parsePayload(data, env.now());
  let row: NoticeRecord | null = null;
  try {
    row = await addPush(await env.db(), payload);
  } catch (error: unknown) {
    console.warn("notification not kept for the centre", error);
  }
  const lang = await chosenLang(env);
  await env.showNotification(pick(lang, payload.title), {
    body: pick(lang, payload.body),
    tag: payload.tag,
    data: { url: payload.url, key: row?.key ?? null, kind: payload.kind, at: payload.at, count: payload.count },
    icon: ICON,
    timestamp: payload.at,
    // A newer message with the same tag replaces the shown one silently, unless it is urgent.
    renotify: payload.urgency === "high",
    lang,
  });
  if (row !== null) await tell(env, { type: "NOTICE", key: row.key });
  return payload;
}

function dataOf(notification: ShownNotification): NoticeData {
  const raw = notification.data as Partial<NoticeData> | null | undefined;
  return {
    url: typeof raw?.url === "string" ? raw.url : "/",
    key: typeof raw?.key === "string" ? raw.key : null,
    kind: typeof raw?.kind === "string" ? raw.kind : "",
    at: typeof raw?.at === "number" ? raw.at : Number.NaN,
    count: typeof raw?.count === "number" ? raw.count : 1,
  };
}

/**
 * A tap: marked read in the centre, then the app shows the notification's screen — in a window
 * already open (focused, told the route) or a new one.
 */
export async function handleClick(env: WorkerEnv, notification: ShownNotification): Promise<string> {
  notification.close();
  const data = dataOf(notification);
  const { url, key } = data;
  const route = routeOf(url);
  if (key !== null) {
    try {
      await markPushRead(await env.db(), { ...data, key }, env.now());
    } catch (error: unknown) {
      console.warn("notification not marked read", error);
    }
  }
  const windows = (await env.windows()).filter((w) => w.url.startsWith(env.origin));
  const target = windows.find((w) => w.focused === true) ?? windows[0];
  if (target === undefined) {
    await env.openWindow(windowUrl(env.origin, url));
  } else {
    await target.focus().catch(() => undefined); // focusing may be refused; the route still changes
    target.postMessage({ type: "OPEN", route });
  }
  if (key !== null) await tell(env, { type: "NOTICE", key });
  return route;
}

/** End-to-end tests tap a shown notification through the worker (no browser API taps one). */
export async function clickByTag(env: WorkerEnv, tag: string): Promise<boolean> {
  try {
    if ((await getSetting(await env.db(), "testHooks")) !== true) return false;
  } catch {
    return false;
  }
  const [shown] = await env.getNotifications(tag);
  if (shown === undefined) return false;
  await handleClick(env, shown);
  return true;
}
