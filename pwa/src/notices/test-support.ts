// Test support (not shipped): a browser's push pieces as fakes — permission prompts, a push
// manager whose subscribe can fail or hang — and a server's /api/push and /api/notifications.

import { ApiError } from "../app/api";
import { FakeServer, PICKER, type FakeUser } from "../session/fake-server";
import { NetworkError } from "../sync/transport";
import type { ServerNotice } from "./store";
import type { PushEnv, PushManagerLike, SubscriptionLike } from "./subscribe";

export const SERVER_KEY = "BDd3_hVL9fZi9Ybo2UUzA284WG5FZR30_95YeZJsiApwXKpNcF1rRPF3foIiBHXRdJI2Qhumhf6_LFTeZaNndIo";
export const P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
export const AUTH = "tBHItJI5svbpez7KI4CCXg";

export class FakeSubscription implements SubscriptionLike {
  unsubscribed = false;
  readonly endpoint: string;
  readonly owner: FakePushManager;
  readonly options: { applicationServerKey: ArrayBuffer | null };
  constructor(endpoint: string, owner: FakePushManager, options: { applicationServerKey: ArrayBuffer | null }) {
    this.endpoint = endpoint;
    this.owner = owner;
    this.options = options;
  }
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: P256DH, auth: AUTH } };
  }
  async unsubscribe() {
    this.unsubscribed = true;
    if (this.owner.current === this) this.owner.current = null;
    return true;
  }
}

export class FakePushManager implements PushManagerLike {
  current: FakeSubscription | null = null;
  subscribes = 0;
  /** "hang": never settles (Chrome without its push service); "fail": rejects at once. */
  mode: "ok" | "hang" | "fail" = "ok";
  async getSubscription() {
    return this.current;
  }
  subscribe(options: {
    userVisibleOnly: boolean;
    applicationServerKey: Uint8Array<ArrayBuffer>;
  }): Promise<FakeSubscription> {
    this.subscribes += 1;
    if (this.mode === "hang") return new Promise<FakeSubscription>(() => undefined);
    if (this.mode === "fail") return Promise.reject(new DOMException("Registration failed", "AbortError"));
    if (!options.userVisibleOnly) return Promise.reject(new Error("userVisibleOnly is required"));
    const key = options.applicationServerKey.slice().buffer;
    this.current = new FakeSubscription(`https://push.example/send/${this.subscribes}`, this, {
      applicationServerKey: key,
    });
    return Promise.resolve(this.current);
  }
}

export class FakePushEnv implements PushEnv {
  granted: NotificationPermission = "default";
  /** What the person answers the prompt. */
  answer: NotificationPermission = "granted";
  prompts = 0;
  readonly manager: FakePushManager | null;
  constructor(options: { supported?: boolean } = {}) {
    this.manager = options.supported === false ? null : new FakePushManager();
  }
  permission() {
    return this.manager === null ? null : this.granted;
  }
  async requestPermission() {
    this.prompts += 1;
    this.granted = this.answer;
    return this.granted;
  }
  async pushManager() {
    return this.manager;
  }
}

export interface QuietRow {
  quiet_start: string | null;
  quiet_end: string | null;
  timezone: string;
}

/** The server side of push and the notification centre, as an `api` function. */
export class FakePushServer {
  readonly calls: { method: string; path: string; body: unknown }[] = [];
  readonly subscriptions = new Map<string, unknown>();
  online = true;
  /** Answer POST /api/push/subscriptions with this error. */
  refuseSubscribe: ApiError | null = null;
  quiet: QuietRow = { quiet_start: null, quiet_end: null, timezone: "Asia/Shanghai" };
  inbox: ServerNotice[] = [];
  /** GET /api/notifications answers 404 (an older server). */
  noInbox = false;

  readonly api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    this.calls.push({ method, path, body });
    if (!this.online) throw new NetworkError("Failed to fetch");
    return this.answer(method, path, body) as T;
  };

  answer(method: string, path: string, body: unknown): unknown {
    const [bare = "", query = ""] = path.split("?");
    const params = new URLSearchParams(query);
    const record = (body ?? {}) as Record<string, unknown>;
    if (method === "GET" && bare === "/api/push/key") return { application_server_key: SERVER_KEY };
    if (method === "POST" && bare === "/api/push/subscriptions") {
      if (this.refuseSubscribe !== null) throw this.refuseSubscribe;
      this.subscriptions.set(String(record["endpoint"]), body);
      return { id: this.subscriptions.size, endpoint: record["endpoint"] };
    }
    if (method === "DELETE" && bare === "/api/push/subscriptions") {
      const endpoint = params.get("endpoint") ?? "";
      if (!this.subscriptions.delete(endpoint)) {
        throw new ApiError(404, "subscription_not_found", { en: "no subscription", zh: "未找到订阅" });
      }
      return null;
    }
    if (bare === "/api/push/preferences") {
      if (method === "PUT") this.quiet = { ...(record as unknown as QuietRow) };
      return { ...this.quiet, quiet_now: false };
    }
    if (method === "GET" && bare === "/api/notifications") {
      if (this.noInbox) throw new ApiError(404, "not_found", { en: "Not found", zh: "不存在" });
      const items = [...this.inbox].sort((a, b) => b.id - a.id);
      return { items, unread: items.filter((i) => i.read_at === null).length };
    }
    if (method === "POST" && bare === "/api/notifications/read") {
      const ids = new Set(Array.isArray(record["ids"]) ? (record["ids"] as number[]) : []);
      const now = new Date().toISOString();
      this.inbox = this.inbox.map((i) =>
        i.read_at === null && (record["all"] === true || ids.has(i.id)) ? { ...i, read_at: now } : i,
      );
      return { unread: this.inbox.filter((i) => i.read_at === null).length };
    }
    throw new ApiError(404, "not_found", { en: "Not found", zh: "不存在" });
  }
}

export function serverNotice(id: number, at: number, extra: Partial<ServerNotice> = {}): ServerNotice {
  return {
    id,
    kind: "urgent_order",
    title_en: `Urgent order A${id}`,
    title_zh: `加急订单 A${id}`,
    body_en: "VIP buyer",
    body_zh: "VIP 买家",
    url: `/#/order/${id}`,
    urgency: "high",
    created_at: new Date(at).toISOString(),
    read_at: null,
    ...extra,
  };
}

/** A floor supervisor as the server describes one: push, the centre and orders. */
export const SUPERVISOR: FakeUser = {
  ...PICKER,
  id: 11,
  username: "zhao.min",
  display_name: "赵敏",
  permissions: [...PICKER.permissions, "push.subscribe", "orders.read", "sync.review"].sort(),
};

/** The shell's fake server, answering /api/push and /api/notifications from a `FakePushServer`. */
export class PushFakeServer extends FakeServer {
  readonly push = new FakePushServer();

  constructor() {
    super();
    this.users = [...this.users, SUPERVISOR];
  }

  override answer(method: string, path: string, body: Record<string, unknown> | null, token: string | null): Response {
    if (!path.startsWith("/api/push") && !path.startsWith("/api/notifications")) {
      return super.answer(method, path, body, token);
    }
    const full = this.requests.at(-1)?.path ?? path; // with its query (?endpoint=…)
    try {
      const answer = this.push.answer(method, full, body);
      return new Response(answer === null ? null : JSON.stringify(answer), {
        status: answer === null ? 204 : 200,
        headers: { "Content-Type": "application/json" },
      });
    } catch (error: unknown) {
      const refused = error instanceof ApiError ? error : new ApiError(500, "boom", { en: "boom", zh: "出错" });
      return new Response(
        JSON.stringify({ code: refused.code, message: refused.text.en, message_zh: refused.text.zh }),
        { status: refused.status, headers: { "Content-Type": "application/json" } },
      );
    }
  }
}
