// Test support: a `fetch` that answers like the server's auth, device, warehouse and sync endpoints
// (only what the shell calls), records every request, and can be switched offline.

export interface FakeUser {
  id: number;
  username: string;
  password: string;
  display_name: string;
  permissions: string[];
  warehouse_ids: number[];
  all_warehouses: boolean;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | null;
  readonly token: string | null;
}

export const PICKER: FakeUser = {
  id: 7,
  username: "li.lei",
  password: "secret-pw",
  display_name: "李雷",
  permissions: ["catalog.read", "devices.register", "stock.move", "stock.read", "sync.use", "warehouse.read"],
  warehouse_ids: [1],
  all_warehouses: false,
};

export const MANAGER: FakeUser = {
  id: 9,
  username: "wang.jl",
  password: "secret-pw",
  display_name: "王经理",
  permissions: ["catalog.read", "devices.register", "orders.read", "stock.read", "warehouse.read"],
  warehouse_ids: [],
  all_warehouses: true,
};

export const WAREHOUSES = [
  { id: 1, code: "SH1", name_zh: "上海一仓", name_en: "Shanghai 1" },
  { id: 2, code: "GZ1", name_zh: "广州一仓", name_en: "Guangzhou 1" },
];

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

function refusal(status: number, code: string, message: string, messageZh: string, detail: unknown = {}): Response {
  return json(status, { status, code, message, message_zh: messageZh, detail });
}

export class FakeServer {
  readonly requests: FakeRequest[] = [];
  users: FakeUser[] = [PICKER, MANAGER];
  online = true;
  rateLimited = false;
  readonly revokedDevices = new Set<string>();
  /** Device id → user id. */
  readonly devices = new Map<string, number>();
  /** Live token → user id and device. */
  readonly tokens = new Map<string, { userId: number; deviceId: string | null }>();
  /** Answer pushes and pulls with 503 (the shell tests care about the app, not the protocol). */
  syncDown = true;
  #counter = 0;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const path = url.replace(/^https?:\/\/[^/]+/, "");
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    const auth = headers.get("Authorization");
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : null;
    const text = typeof init?.body === "string" ? init.body : null;
    const body = text === null ? null : (JSON.parse(text) as Record<string, unknown>);
    this.requests.push({ method, path, body, token });
    if (!this.online) throw new TypeError("Failed to fetch");
    return this.answer(method, path.split("?")[0] ?? path, body, token);
  };

  paths(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path.split("?")[0] ?? r.path}`);
  }

  #userOf(token: string | null): FakeUser | null {
    const entry = token === null ? undefined : this.tokens.get(token);
    if (entry === undefined) return null;
    if (entry.deviceId !== null && this.revokedDevices.has(entry.deviceId)) return null;
    return this.users.find((u) => u.id === entry.userId) ?? null;
  }

  #userOut(user: FakeUser) {
    return {
      id: user.id,
      username: user.username,
      display_name: user.display_name,
      roles: [],
      all_warehouses: user.all_warehouses,
      warehouse_ids: user.warehouse_ids,
      locale: "zh-CN",
      active: true,
      permissions: user.permissions,
    };
  }

  answer(method: string, path: string, body: Record<string, unknown> | null, token: string | null): Response {
    if (method === "POST" && path === "/api/auth/login") {
      if (this.rateLimited) {
        return refusal(429, "login_rate_limited", "too many failed logins; wait and try again", "登录失败次数过多，请稍后再试", {
          retry_after: 300,
        });
      }
      const user = this.users.find((u) => u.username === body?.["username"] && u.password === body["password"]);
      if (user === undefined) return refusal(401, "bad_credentials", "wrong user name or password", "用户名或密码错误");
      const deviceId = typeof body?.["device_id"] === "string" ? body["device_id"] : null;
      if (deviceId !== null && (this.devices.get(deviceId) !== user.id || this.revokedDevices.has(deviceId))) {
        return refusal(401, "device_revoked", "this device is not registered to you or was revoked", "设备未登记或已被停用");
      }
      this.#counter += 1;
      const issued = `tok-${this.#counter}`;
      this.tokens.set(issued, { userId: user.id, deviceId });
      return json(200, { token: issued, expires_at: "2026-12-31T00:00:00Z", user: this.#userOut(user) });
    }
    const user = this.#userOf(token);
    if (user === null) return refusal(401, "token_invalid", "token is invalid, expired or revoked; log in again", "登录已失效，请重新登录");
    if (method === "POST" && path === "/api/auth/logout") {
      if (token !== null) this.tokens.delete(token);
      return json(204, null);
    }
    if (method === "GET" && path === "/api/warehouses") {
      const items = WAREHOUSES.filter((w) => user.all_warehouses || user.warehouse_ids.includes(w.id));
      return json(200, { items, total: items.length, limit: 500, offset: 0 });
    }
    const one = /^\/api\/warehouses\/(\d+)$/.exec(path);
    if (method === "GET" && one !== null) {
      const found = WAREHOUSES.find((w) => w.id === Number(one[1]));
      return found === undefined ? refusal(404, "not_found", "not found", "不存在") : json(200, found);
    }
    if (method === "POST" && path === "/api/devices") {
      this.#counter += 1;
      const id = `dev-${String(this.#counter).padStart(4, "0")}-0000-4000-8000-000000000000`;
      this.devices.set(id, user.id);
      return json(201, { id, user_id: user.id, name: body?.["name"], warehouse_id: body?.["warehouse_id"] });
    }
    if (path.startsWith("/api/sync/")) {
      return this.syncDown
        ? refusal(503, "unavailable", "server busy", "服务器繁忙")
        : refusal(404, "not_found", "not found", "不存在");
    }
    return refusal(404, "not_found", "not found", "不存在");
  }
}
