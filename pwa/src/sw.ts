// Cangku's service worker: keeps the app shell (every built file, the barcode decoder's .wasm
// included) so the app starts and scans with no network, and never touches /api/*.
//
// Our own ~170 lines rather than Workbox: the whole job is one precache, two fetch rules and the
// push and notification-click handlers, and the update policy must be entirely ours: a new version
// waits until the person accepts it and no task is open (src/pwa/update.ts), never
// skipWaiting/clientsClaim on its own as Workbox's generated workers like to. Built by
// pwa/scripts/sw-plugin.ts into dist/sw.js (one classic script, src/notices/* bundled in), which
// puts the build's file list and version where the placeholder is below.
//
// The outbox lives in IndexedDB (`cangku`), which this worker never opens: updates cannot lose
// queued work. Notifications are kept in their own database (`cangku-notices`, src/notices/store.ts).

import type { ShellBuild } from "./pwa/precache";
import type {
  ExtendableEvent,
  ExtendableMessageEvent,
  FetchEvent,
  NotificationEvent,
  PushEvent,
  ServiceWorkerGlobal,
  WorkerRequest,
} from "./pwa/sw-types";
import { openNoticesDb, type NoticesDb } from "./notices/store";
import { clickByTag, handleClick, handlePush, type WorkerEnv } from "./notices/worker";

declare const self: ServiceWorkerGlobal;

const BUILD = JSON.parse("__CANGKU_SHELL_BUILD__") as ShellBuild;
const PREFIX = "cangku-shell-";
/** One cache per build: a new version fills its own cache while the old one keeps serving. */
const CACHE = PREFIX + BUILD.version;
const SHELL = "/index.html";
const PRECACHED = new Set(BUILD.urls);
/** A navigation outside the app (say /schema) waits this long for the server before the shell answers. */
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener("install", (event: ExtendableEvent) => {
  // No skipWaiting here: a new version waits for the page to ask (SKIP_WAITING below).
  event.waitUntil(precache());
});

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  // no-cache: revalidate with the server, so an HTTP-cached old manifest or icon never enters a
  // new version's cache. addAll is all-or-nothing: a half-filled cache never gets installed.
  await cache.addAll(BUILD.urls.map((url) => new Request(url, { cache: "no-cache" })));
}

self.addEventListener("activate", (event: ExtendableEvent) => {
  event.waitUntil(activate());
});

async function activate(): Promise<void> {
  const older = (await caches.keys()).filter((key) => key.startsWith(PREFIX) && key !== CACHE);
  await Promise.all(older.map((key) => caches.delete(key)));
  // Claim the open page only on the very first install (no older version's cache): that page
  // runs this very build, so nothing changes under it. After an update, the pages that asked for
  // it move to this worker by themselves and reload (update.ts).
  if (older.length === 0) await self.clients.claim();
}

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const request = event.data as WorkerRequest | null;
  if (request?.type === "SKIP_WAITING") {
    void self.skipWaiting();
  } else if (request?.type === "VERSION") {
    event.ports[0]?.postMessage({ version: BUILD.version });
  } else if (request?.type === "CLICK_NOTICE") {
    event.waitUntil(clickByTag(notices, request.tag).then((done) => event.ports[0]?.postMessage({ done })));
  }
});

// --- notifications (the logic is in src/notices/worker.ts) ------------------------------------------

let noticesDb: Promise<NoticesDb> | null = null;

const notices: WorkerEnv = {
  origin: self.location.origin,
  language: self.navigator.language,
  db: () => {
    noticesDb ??= openNoticesDb().catch((error: unknown) => {
      noticesDb = null; // try again with the next push
      throw error;
    });
    return noticesDb;
  },
  now: () => Date.now(),
  // `timestamp` and `renotify` are real options the DOM typings no longer list.
  showNotification: (title, options) => self.registration.showNotification(title, options as NotificationOptions),
  getNotifications: (tag) => self.registration.getNotifications(tag === undefined ? {} : { tag }),
  windows: () => self.clients.matchAll({ type: "window", includeUncontrolled: true }),
  openWindow: (url) => self.clients.openWindow(url),
};

self.addEventListener("push", (event: PushEvent) => {
  let text: string | null = null;
  try {
    text = event.data?.text() ?? null;
  } catch {
    text = null; // undecodable: shown as a generic notice
  }
  event.waitUntil(handlePush(notices, text));
});

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  event.waitUntil(handleClick(notices, event.notification));
});

self.addEventListener("fetch", (event: FetchEvent) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Data belongs to the store and the sync client (IndexedDB); a cached API answer would be a lie.
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(fromCache(request));
  }
  // Anything else (another build's asset, /schema's scripts) goes to the network untouched.
});

/**
 * The app itself (`/`, `/index.html`; screens are hash routes) always opens from this version's
 * cache: the shell and its hashed assets must come from the same build, and a newer build only
 * arrives through the update offer (a shell fetched from the network would run new code under an
 * old worker and, once offline again, fall back to the old code against an IndexedDB the new code
 * already upgraded). Other pages (the API docs) are network-first with a short timeout; offline
 * they get the shell.
 */
async function navigate(request: Request, url: URL): Promise<Response> {
  if (url.pathname === "/" || url.pathname === SHELL) {
    return (await shell()) ?? fetch(request);
  }
  try {
    return await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
  } catch (error) {
    const cached = await shell();
    if (cached !== undefined) return cached;
    throw error;
  }
}

async function shell(): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(SHELL);
}

async function fromCache(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  // ignoreSearch: `?v=` style query strings must not miss the precached file.
  return (await cache.match(request, { ignoreSearch: true })) ?? fetch(request);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
