// Turning Web Push on and off for this phone (ADR-0019): ask the person, subscribe with the
// server's key, hand the subscription to the server; and the reverse. The browser's push pieces
// come through `PushEnv`, so Vitest runs every path with fakes.
//
// Push services rotate subscriptions and the server forgets dead ones (404/410), so the app hands
// the current subscription over again at every start and login (`resubscribe`): cheap, and it
// heals a phone the server had given up on.

import { ApiError } from "../app/api";
import type { Bilingual } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";
import { pushText } from "./messages";

export type PushState = "unsupported" | "denied" | "off" | "on";

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export interface SubscriptionLike {
  readonly endpoint: string;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null } | undefined;
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}

export interface PushManagerLike {
  getSubscription(): Promise<SubscriptionLike | null>;
  subscribe(options: {
    userVisibleOnly: boolean;
    applicationServerKey: Uint8Array<ArrayBuffer>;
  }): Promise<SubscriptionLike>;
}

export interface PushEnv {
  /** `Notification.permission`; null where the browser has no notifications. */
  permission(): NotificationPermission | null;
  requestPermission(): Promise<NotificationPermission>;
  /** The service worker's push manager; null where push is unavailable (no worker, no PushManager). */
  pushManager(): Promise<PushManagerLike | null>;
}

/** A push service that never answers (Chrome without FCM, TESTING-RECIPES §5b) must not hang the button. */
const SUBSCRIBE_TIMEOUT_MS = 20_000;
const WORKER_READY_TIMEOUT_MS = 10_000;

export class PushProblem extends Error {
  override readonly name = "PushProblem";
  readonly text: Bilingual;
  constructor(text: Bilingual, options?: { cause?: unknown }) {
    super(text.en, options);
    this.text = text;
  }
}

function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
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

/** The real browser; in the Vite dev server (no worker registered) push reads as unsupported. */
export function browserPushEnv(): PushEnv {
  const notifications = (globalThis as { Notification?: typeof Notification }).Notification;
  return {
    permission: () => notifications?.permission ?? null,
    requestPermission: async () => (notifications === undefined ? "denied" : notifications.requestPermission()),
    async pushManager() {
      const container = globalThis.navigator?.serviceWorker;
      if (container === undefined || !("PushManager" in globalThis)) return null;
      try {
        const registration = await within(container.ready, WORKER_READY_TIMEOUT_MS, () => new Error("no worker"));
        return (registration.pushManager as PushManagerLike | undefined) ?? null;
      } catch {
        return null;
      }
    },
  };
}

let current: PushEnv | null = null;

/** The browser's push pieces (tests put fakes in with `usePushEnv`). */
export function pushEnv(): PushEnv {
  current ??= browserPushEnv();
  return current;
}

export function usePushEnv(env: PushEnv | null): void {
  current = env;
}

/** base64url (the server's `application_server_key`) to the bytes `subscribe` wants. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(subscription: SubscriptionLike, key: Uint8Array): boolean {
  const current = subscription.options?.applicationServerKey;
  if (current === null || current === undefined) return true; // cannot tell: keep it
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/** Only the fields the server takes (it refuses unknown ones). */
export function subscriptionBody(subscription: SubscriptionLike): Record<string, unknown> {
  const json = subscription.toJSON();
  return {
    endpoint: json.endpoint ?? subscription.endpoint,
    expirationTime: json.expirationTime ?? null,
    keys: { p256dh: json.keys?.["p256dh"] ?? "", auth: json.keys?.["auth"] ?? "" },
  };
}

/** What an API failure means to the person. */
function problemOf(error: unknown): PushProblem {
  if (error instanceof PushProblem) return error;
  if (error instanceof NetworkError) return new PushProblem(pushText.offline, { cause: error });
  if (error instanceof ApiError) {
    return new PushProblem(
      { en: `${pushText.serverError.en} ${error.text.en}`, zh: `${pushText.serverError.zh}${error.text.zh}` },
      { cause: error },
    );
  }
  return new PushProblem(pushText.failed, { cause: error });
}

export async function readPushState(env: PushEnv): Promise<PushState> {
  const permission = env.permission();
  const manager = await env.pushManager();
  if (permission === null || manager === null) return "unsupported";
  if (permission === "denied") return "denied";
  if (permission !== "granted") return "off";
  try {
    return (await manager.getSubscription()) === null ? "off" : "on";
  } catch {
    return "off";
  }
}

/** Asks (if not asked yet), subscribes and tells the server. Throws `PushProblem` (bilingual). */
export async function turnOn(env: PushEnv, api: Api): Promise<void> {
  const manager = await env.pushManager();
  if (env.permission() === null || manager === null) throw new PushProblem(pushText.unsupported);
  let permission = env.permission();
  if (permission === "default") permission = await env.requestPermission();
  if (permission !== "granted") throw new PushProblem(pushText.denied);

  let key: Uint8Array<ArrayBuffer>;
  try {
    key = keyBytes((await api<{ application_server_key: string }>("GET", "/api/push/key")).application_server_key);
  } catch (error: unknown) {
    throw problemOf(error);
  }
  let subscription = await manager.getSubscription();
  if (subscription !== null && !sameKey(subscription, key)) {
    await subscription.unsubscribe(); // made with a key the server no longer has (reset-key)
    subscription = null;
  }
  if (subscription === null) {
    try {
      subscription = await within(
        manager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
        SUBSCRIBE_TIMEOUT_MS,
        () => new PushProblem(pushText.noPushService),
      );
    } catch (error: unknown) {
      throw error instanceof PushProblem ? error : new PushProblem(pushText.noPushService, { cause: error });
    }
  }
  try {
    await api("POST", "/api/push/subscriptions", subscriptionBody(subscription));
  } catch (error: unknown) {
    // Unknown to the server, the subscription would read "on" and bring nothing: undo it.
    await subscription.unsubscribe().catch(() => false);
    throw problemOf(error);
  }
}

/**
 * Stops pushes to this phone: the server forgets the subscription, then the browser drops it.
 * Offline, the browser still drops it (answers false: the server learns at its next push, when
 * the push service answers 410).
 */
export async function turnOff(env: PushEnv, api: Api): Promise<boolean> {
  const manager = await env.pushManager();
  const subscription = manager === null ? null : await manager.getSubscription();
  if (subscription === null) return true;
  const told = await forgetSubscription(subscription, api);
  await subscription.unsubscribe();
  return told;
}

/** The server forgets the subscription (404: it already had); false when it cannot be reached. */
async function forgetSubscription(subscription: SubscriptionLike, api: Api): Promise<boolean> {
  try {
    await api("DELETE", `/api/push/subscriptions?endpoint=${encodeURIComponent(subscription.endpoint)}`);
  } catch (error: unknown) {
    if (error instanceof NetworkError) return false;
    if (!(error instanceof ApiError && error.status === 404)) throw problemOf(error);
  }
  return true;
}

/**
 * At logout, with the leaving person's token: their notices stop coming to this shared phone. The
 * browser keeps its subscription, so whoever logs in next hands it over again (`resubscribe`).
 * Quiet; offline the pushes go on until the next login re-binds the subscription.
 */
export async function forgetOnLogout(env: PushEnv, api: Api): Promise<boolean> {
  try {
    const manager = await env.pushManager();
    const subscription = manager === null ? null : await manager.getSubscription();
    return subscription === null ? true : await forgetSubscription(subscription, api);
  } catch {
    return false;
  }
}

/** At start and login: hand the current subscription over again. Quiet; answers whether it did. */
export async function resubscribe(env: PushEnv, api: Api): Promise<boolean> {
  if (env.permission() !== "granted") return false;
  try {
    const manager = await env.pushManager();
    const subscription = manager === null ? null : await manager.getSubscription();
    if (subscription === null) return false;
    await api("POST", "/api/push/subscriptions", subscriptionBody(subscription));
    return true;
  } catch {
    return false; // offline or refused: the next start tries again
  }
}

// --- quiet hours (GET/PUT /api/push/preferences) --------------------------------------------------

export interface QuietHours {
  readonly quiet_start: string | null;
  readonly quiet_end: string | null;
  readonly timezone: string;
  readonly quiet_now: boolean;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The phone's time zone: the hours the person types are on its clock. */
export function deviceZone(fallback: string): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || fallback;
  } catch {
    return fallback;
  }
}

export async function loadQuietHours(api: Api): Promise<QuietHours> {
  try {
    return await api<QuietHours>("GET", "/api/push/preferences");
  } catch (error: unknown) {
    throw problemOf(error);
  }
}

/** Both times, or neither (no quiet hours). Throws `PushProblem`. */
export async function saveQuietHours(
  api: Api,
  start: string | null,
  end: string | null,
  timezone: string,
): Promise<QuietHours> {
  if ((start === null) !== (end === null)) throw new PushProblem(pushText.quietBoth);
  if ((start !== null && !HHMM.test(start)) || (end !== null && !HHMM.test(end))) {
    throw new PushProblem(pushText.quietFormat);
  }
  try {
    return await api<QuietHours>("PUT", "/api/push/preferences", { quiet_start: start, quiet_end: end, timezone });
  } catch (error: unknown) {
    throw problemOf(error);
  }
}
