// @vitest-environment happy-dom
// The push rules screen against a fake of the server's /api/push/rules (whole rows win, params
// merged, DELETE falls back): the list from the server's real kinds, one card saved at a time with
// only its changes, refusals by the field they name, reset, a warehouse's own settings, offline.
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError, errorOf } from "../app/api";
import { ServicesContext, type AppServices } from "../app/services";
import { lang } from "../i18n/i18n";
import { fakeApi, type FakeApi } from "../manager/test-support";
import { NetworkError } from "../sync/transport";
import type { Rule, RuleInput } from "./rules-client";
import { BUILT_IN_RULES, WAREHOUSES_PAGE } from "./rules-fixtures";
import { RulesScreen } from "./rules-screen";

let root: HTMLElement;

beforeEach(() => {
  lang.value = "en";
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  vi.restoreAllMocks();
});

const SAVED_AT = "2026-12-02T02:00:00Z";

/** The server's side: rows by `${kind}|${warehouse or "all"}`, the rule in effect as rules.py makes it. */
class RulesServer {
  readonly rows = new Map<string, Partial<Rule>>();
  online = true;
  /** Answer the next PUT / DELETE with this. */
  refuse: unknown = null;

  listFor(scope: number | null): Rule[] {
    return BUILT_IN_RULES.map((rule) => {
      const own = scope === null ? undefined : this.rows.get(`${rule.kind}|${scope}`);
      const fallback = this.rows.get(`${rule.kind}|all`);
      const overriddenIn = [...this.rows.keys()]
        .filter((key) => key.startsWith(`${rule.kind}|`) && !key.endsWith("|all"))
        .map((key) => Number(key.split("|")[1]))
        .sort((a, b) => a - b);
      return {
        ...rule,
        ...(own ?? fallback ?? {}),
        warehouse_id: scope,
        source: own !== undefined ? "warehouse" : fallback !== undefined ? "default" : "built_in",
        overridden_in: overriddenIn,
      };
    });
  }

  readonly handler = (method: string, path: string, body: unknown): unknown => {
    if (!this.online) throw new NetworkError("Failed to fetch");
    const [bare = "", query = ""] = path.split("?");
    const warehouse = new URLSearchParams(query).get("warehouse_id");
    if (method === "GET" && bare === "/api/warehouses") return WAREHOUSES_PAGE;
    if (method === "GET" && bare === "/api/push/rules") return this.listFor(warehouse === null ? null : Number(warehouse));
    const kind = bare.replace("/api/push/rules/", "");
    if (this.refuse !== null) {
      const refusal = this.refuse;
      this.refuse = null;
      throw refusal;
    }
    if (method === "PUT") {
      const input = body as RuleInput;
      const scope = input.warehouse_id ?? null;
      const current = this.listFor(scope).find((r) => r.kind === kind) as Rule;
      this.rows.set(`${kind}|${scope ?? "all"}`, {
        enabled: input.enabled ?? current.enabled,
        roles: input.roles ?? current.roles,
        urgency: input.urgency ?? current.urgency,
        params: { ...current.params, ...input.params },
        updated_at: SAVED_AT,
        updated_by_user_id: 7,
      });
      return this.listFor(scope).find((r) => r.kind === kind);
    }
    if (method === "DELETE") {
      if (!this.rows.delete(`${kind}|${warehouse ?? "all"}`)) {
        throw new ApiError(404, "push_rule_not_found", { en: "these settings are not saved", zh: "该范围没有保存的设置" });
      }
      return null;
    }
    throw new Error(`unexpected ${method} ${path}`);
  };
}

function mount(server: RulesServer): FakeApi {
  const fake = fakeApi(server.handler);
  render(
    <ServicesContext.Provider value={fake.services as AppServices}>
      <RulesScreen args={[]} />
    </ServicesContext.Provider>,
    root,
  );
  return fake;
}

const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T | null =>
  root.querySelector<T>(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";
const input = (id: string): HTMLInputElement => {
  const found = byTestId<HTMLInputElement>(id);
  if (found === null) throw new Error(`no ${id}`);
  return found;
};
const calls = (fake: FakeApi): string[] => fake.api.mock.calls.map(([method, path]) => `${method} ${path}`);
/** PUTs and DELETEs as `[method, path]` or `[method, path, body]`. */
const writes = (fake: FakeApi): unknown[][] =>
  fake.api.mock.calls
    .filter(([method]) => method !== "GET")
    .map(([method, path, body]) => (body === undefined ? [method, path] : [method, path, body]));

function typeInto(id: string, value: string): void {
  const field = input(id);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

function pick(id: string, value: string): void {
  const field = byTestId<HTMLSelectElement>(id);
  if (field === null) throw new Error(`no ${id}`);
  field.value = value;
  field.dispatchEvent(new Event("change", { bubbles: true }));
}

function tick(id: string): void {
  input(id).click();
}

/** Taps the card's Save once it is offered (edits re-render before the button enables). */
async function save(kind: string): Promise<void> {
  await vi.waitFor(() => expect(byTestId<HTMLButtonElement>(`rule-save-${kind}`)?.disabled).toBe(false));
  byTestId(`rule-save-${kind}`)?.click();
}

async function loaded(): Promise<void> {
  await vi.waitFor(() => expect(byTestId("rule-expiring_lot")).not.toBeNull());
}

const cardIds = (): string[] =>
  [...root.querySelectorAll("article[data-testid^=rule-]")].map((c) => c.getAttribute("data-testid") ?? "");

describe("push rules screen", () => {
  test("lists every kind the server has, grouped, in the app's language, a field per parameter", async () => {
    const fake = mount(new RulesServer());
    expect(byTestId("push-rules-screen")).not.toBeNull();
    expect(byTestId("rules-loading")).not.toBeNull();
    await loaded();

    expect(calls(fake)).toEqual(["GET /api/warehouses?limit=500&active=true", "GET /api/push/rules"]);
    expect(byTestId("rules-loading")).toBeNull();
    expect([...root.querySelectorAll("section.rules-group h2")].map((h) => h.textContent)).toEqual([
      "Urgent orders",
      "For supervisors",
      "Stock",
    ]);
    expect(cardIds()).toEqual(BUILT_IN_RULES.map((r) => `rule-${r.kind}`));
    expect(byTestId("rules-group-stock")?.querySelectorAll("article")).toHaveLength(2);

    const cutOff = text("rule-urgent_cut_off");
    expect(cutOff).toContain("Carrier pickup soon");
    expect(cutOff).toContain("the carrier's next pickup is near");
    expect(cutOff).toContain("Minutes before pickup");
    expect(text("rule-source-urgent_cut_off")).toBe("Built-in default");
    expect(input("rule-enabled-urgent_cut_off").checked).toBe(true);
    expect(input("rule-role-urgent_cut_off-supervisor").checked).toBe(true);
    expect(input("rule-role-urgent_cut_off-manager").checked).toBe(true);
    expect(input("rule-role-urgent_cut_off-picker").checked).toBe(false);
    expect(byTestId("rule-roles-urgent_cut_off")?.querySelectorAll("input")).toHaveLength(8);
    expect(byTestId<HTMLSelectElement>("rule-urgency-urgent_cut_off")?.value).toBe("high");
    expect(byTestId<HTMLSelectElement>("rule-urgency-expiring_lot")?.value).toBe("low");

    const minutes = input("rule-param-urgent_cut_off-cut_off_minutes");
    expect([minutes.type, minutes.value, minutes.min, minutes.max]).toEqual(["number", "60", "1", "720"]);
    expect(input("rule-param-urgent_cut_off-cut_offs").value).toBe("17:00");
    expect(input("rule-param-urgent_late_risk-promotion").type).toBe("checkbox");
    expect(input("rule-param-urgent_late_risk-promotion").checked).toBe(false);
    expect(
      ["applied_with_exception", "held", "rejected"].map((s) => input(`rule-param-sync_exception-statuses-${s}`).checked),
    ).toEqual([true, true, true]);
    expect(text("rule-param-sync_exception-statuses")).toContain("Held for review");
    const cover = input("rule-param-low_stock-days_of_cover");
    expect([cover.value, cover.min, cover.max, cover.placeholder]).toEqual(["", "1", "365", "May be left empty"]);
    expect(root.querySelectorAll("[data-testid^=rule-param-urgent_vip-]")).toHaveLength(0);

    // Nothing changed, nothing saved here yet: no save, nothing to reset.
    expect(byTestId<HTMLButtonElement>("rule-save-urgent_cut_off")?.disabled).toBe(true);
    expect(root.querySelectorAll("[data-testid^=rule-reset-]")).toHaveLength(0);

    lang.value = "zh-CN";
    await vi.waitFor(() => expect(text("rule-urgent_cut_off")).toContain("快递即将揽收"));
    expect(text("rule-urgent_cut_off")).toContain("揽收前分钟数");
    expect(text("rule-roles-urgent_cut_off")).toContain("主管");
    expect(text("rules-warehouse")).toContain("全部仓库");
    expect(text("rules-warehouse")).toContain("SH1 · 上海仓");
    expect(root.querySelector("h1")?.textContent).toBe("推送规则");
  });

  test("toggling, editing a parameter and saving sends that rule's changes only", async () => {
    const server = new RulesServer();
    const fake = mount(server);
    await loaded();

    tick("rule-enabled-urgent_cut_off");
    typeInto("rule-param-urgent_cut_off-cut_off_minutes", "90");
    typeInto("rule-param-urgent_cut_off-cut_offs", "11:00，17:00");
    tick("rule-role-urgent_cut_off-picker");
    await save("urgent_cut_off");
    expect(byTestId<HTMLButtonElement>("rule-save-urgent_vip")?.disabled).toBe(true);

    await vi.waitFor(() => expect(text("rule-outcome-urgent_cut_off")).toBe("Saved."));
    expect(writes(fake)).toEqual([
      [
        "PUT",
        "/api/push/rules/urgent_cut_off",
        {
          enabled: false,
          roles: ["picker", "supervisor", "manager"],
          params: { cut_off_minutes: 90, cut_offs: ["11:00", "17:00"] },
        },
      ],
    ]);
    // The card shows what the server now has, and that it is saved for all warehouses.
    expect(input("rule-enabled-urgent_cut_off").checked).toBe(false);
    expect(input("rule-param-urgent_cut_off-cut_offs").value).toBe("11:00, 17:00");
    expect(text("rule-source-urgent_cut_off")).toMatch(/^Set for all warehouses · Changed /);
    expect(byTestId("rule-reset-urgent_cut_off")).not.toBeNull();
    expect(byTestId<HTMLButtonElement>("rule-save-urgent_cut_off")?.disabled).toBe(true);

    // Editing again clears the stale "Saved.".
    pick("rule-urgency-urgent_cut_off", "normal");
    await vi.waitFor(() => expect(byTestId("rule-outcome-urgent_cut_off")).toBeNull());
    await save("urgent_cut_off");
    await vi.waitFor(() => expect(writes(fake)).toHaveLength(2));
    expect(writes(fake)[1]?.[2]).toEqual({ urgency: "normal" });
  });

  test("a value the schema refuses is shown by its field and not sent", async () => {
    const fake = mount(new RulesServer());
    await loaded();

    typeInto("rule-param-urgent_cut_off-cut_offs", "17:00, 25:00");
    typeInto("rule-param-urgent_cut_off-cut_off_minutes", "721");
    await save("urgent_cut_off");
    await vi.waitFor(() => expect(text("rule-outcome-urgent_cut_off")).toBe("Not saved: see the marked fields."));
    expect(text("rule-error-urgent_cut_off-params.cut_offs")).toContain("HH:MM");
    expect(text("rule-error-urgent_cut_off-params.cut_off_minutes")).toBe("From 1 to 720.");

    tick("rule-role-expiring_lot-manager"); // nobody left to tell
    await save("expiring_lot");
    await vi.waitFor(() => expect(text("rule-error-expiring_lot-roles")).toBe("Pick at least one role."));
    expect(writes(fake)).toEqual([]);

    // Fixing a field takes its message away.
    typeInto("rule-param-urgent_cut_off-cut_offs", "17:00");
    await vi.waitFor(() => expect(byTestId("rule-error-urgent_cut_off-params.cut_offs")).toBeNull());
    expect(byTestId("rule-error-urgent_cut_off-params.cut_off_minutes")).not.toBeNull();
  });

  test("the server's refusal is shown by the field it names, in the app's language", async () => {
    const server = new RulesServer();
    const fake = mount(server);
    await loaded();
    // Exactly what the server sends for `{"params": {"cut_off_minutes": 900}}` (rules._param_error).
    server.refuse = errorOf(400, {
      status: 400,
      code: "invalid_push_rule",
      message: "urgent_cut_off params: Expected `int` <= 720 - at `$.cut_off_minutes`",
      message_zh: "提醒规则参数无效（cut_off_minutes）：Expected `int` <= 720 - at `$.cut_off_minutes`",
      field: "params.cut_off_minutes",
    });

    typeInto("rule-param-urgent_cut_off-cut_off_minutes", "700");
    await save("urgent_cut_off");

    await vi.waitFor(() =>
      expect(text("rule-error-urgent_cut_off-params.cut_off_minutes")).toBe(
        "urgent_cut_off params: Expected `int` <= 720 - at `$.cut_off_minutes`",
      ),
    );
    expect(text("rule-outcome-urgent_cut_off")).toBe("Not saved: see the marked fields.");
    expect(byTestId("rule-error-urgent_cut_off-params.cut_offs")).toBeNull();
    expect(writes(fake)).toHaveLength(1);
    expect(input("rule-param-urgent_cut_off-cut_off_minutes").value).toBe("700"); // kept to fix
    lang.value = "zh-CN";
    await vi.waitFor(() =>
      expect(text("rule-error-urgent_cut_off-params.cut_off_minutes")).toContain("提醒规则参数无效（cut_off_minutes）"),
    );

    // A refusal naming no field of the card (a manager of one site changing the default) goes under it.
    server.refuse = errorOf(403, {
      status: 403,
      code: "push_rule_default_needs_all_warehouses",
      message: "the default push rules apply to every warehouse: give warehouse_id to change one warehouse's",
      message_zh: "默认提醒规则适用于所有仓库；请指定 warehouse_id 修改单个仓库的规则",
      field: "warehouse_id",
    });
    tick("rule-enabled-low_stock");
    await save("low_stock");
    await vi.waitFor(() =>
      expect(text("rule-outcome-low_stock")).toBe("默认提醒规则适用于所有仓库；请指定 warehouse_id 修改单个仓库的规则"),
    );
    expect(input("rule-enabled-low_stock").checked).toBe(false); // still as edited, not saved
    expect(server.rows.size).toBe(0);
  });

  test("reset sends DELETE and shows the defaults again", async () => {
    const server = new RulesServer();
    server.rows.set("expiring_lot|all", {
      enabled: true,
      roles: ["supervisor", "manager"],
      urgency: "normal",
      params: { within_days: 7 },
      updated_at: SAVED_AT,
    });
    const fake = mount(server);
    await loaded();
    expect(input("rule-param-expiring_lot-within_days").value).toBe("7");
    expect(text("rule-source-expiring_lot")).toMatch(/^Set for all warehouses/);
    expect(byTestId("rule-reset-low_stock")).toBeNull();
    typeInto("rule-param-low_stock-min_units", "8"); // an edit of another card, not yet saved

    byTestId("rule-reset-expiring_lot")?.click();

    await vi.waitFor(() => expect(text("rule-outcome-expiring_lot")).toBe("Back to the default settings."));
    expect(writes(fake)).toEqual([["DELETE", "/api/push/rules/expiring_lot"]]);
    expect(calls(fake).at(-1)).toBe("GET /api/push/rules"); // asked again for what is now in effect
    await vi.waitFor(() => expect(input("rule-param-expiring_lot-within_days").value).toBe("30"));
    expect(input("rule-role-expiring_lot-supervisor").checked).toBe(false);
    expect(text("rule-source-expiring_lot")).toBe("Built-in default");
    expect(byTestId("rule-reset-expiring_lot")).toBeNull();
    expect(input("rule-param-low_stock-min_units").value).toBe("8"); // kept through the reload
    expect(byTestId<HTMLButtonElement>("rule-save-low_stock")?.disabled).toBe(false);
  });

  test("a warehouse: its rules are asked for, saved and reset with its warehouse_id", async () => {
    const server = new RulesServer();
    server.rows.set("expiring_lot|1", { params: { within_days: 10 }, updated_at: SAVED_AT });
    server.rows.set("low_stock|all", { enabled: false, updated_at: SAVED_AT });
    const fake = mount(server);
    await loaded();
    await vi.waitFor(() => expect(text("rule-overridden-expiring_lot")).toContain("Own settings in: Shanghai"));
    expect(text("rules-scope-help")).toBe("The settings every warehouse uses unless it has its own.");

    pick("rules-warehouse", "1");
    await vi.waitFor(() => expect(calls(fake).at(-1)).toBe("GET /api/push/rules?warehouse_id=1"));
    await vi.waitFor(() => expect(text("rule-source-expiring_lot")).toMatch(/^This warehouse's own settings/));
    expect(text("rules-scope-help")).toBe("Settings for Shanghai only.");
    expect(input("rule-param-expiring_lot-within_days").value).toBe("10");
    expect(text("rule-source-low_stock")).toMatch(/^Uses the settings for all warehouses · Changed /);
    expect(input("rule-enabled-low_stock").checked).toBe(false);
    expect(byTestId("rule-reset-low_stock")).toBeNull(); // nothing of its own to forget
    expect(byTestId("rule-overridden-expiring_lot")).toBeNull();

    typeInto("rule-param-low_stock-days_of_cover", "10");
    await save("low_stock");
    await vi.waitFor(() => expect(text("rule-outcome-low_stock")).toBe("Saved."));
    expect(text("rule-source-low_stock")).toMatch(/^This warehouse's own settings/);

    byTestId("rule-reset-expiring_lot")?.click();
    await vi.waitFor(() => expect(text("rule-outcome-expiring_lot")).toBe("Back to the default settings."));
    expect(writes(fake)).toEqual([
      ["PUT", "/api/push/rules/low_stock", { warehouse_id: 1, params: { days_of_cover: 10 } }],
      ["DELETE", "/api/push/rules/expiring_lot?warehouse_id=1"],
    ]);
    await vi.waitFor(() => expect(input("rule-param-expiring_lot-within_days").value).toBe("30"));
    expect(server.rows.has("low_stock|all")).toBe(true); // the default was not touched

    pick("rules-warehouse", "");
    await vi.waitFor(() => expect(calls(fake).at(-1)).toBe("GET /api/push/rules"));
    await vi.waitFor(() => expect(text("rule-overridden-low_stock")).toContain("Shanghai"));
    expect(byTestId("rule-overridden-expiring_lot")).toBeNull();
  });

  test("offline: says the rules need the server, edits nothing, and loads once back", async () => {
    const server = new RulesServer();
    server.online = false;
    const fake = mount(server);

    await vi.waitFor(() => expect(byTestId("rules-offline")).not.toBeNull());
    expect(text("rules-offline")).toContain("only online");
    expect(cardIds()).toEqual([]);
    expect(byTestId("rules-loading")).toBeNull();

    server.online = true;
    byTestId("rules-retry")?.click();
    await loaded();
    expect(byTestId("rules-offline")).toBeNull();

    // Gone again mid-edit: nothing is lost on screen, and the card says it was not saved.
    server.online = false;
    typeInto("rule-param-expiring_lot-within_days", "14");
    await save("expiring_lot");
    await vi.waitFor(() => expect(text("rule-outcome-expiring_lot")).toContain("No connection: nothing was changed"));
    expect(input("rule-param-expiring_lot-within_days").value).toBe("14");
    expect(server.rows.size).toBe(0);
    expect(writes(fake)).toHaveLength(1);
  });

  test("a refusal to list the rules is shown in the server's words", async () => {
    const fake = fakeApi((_method, path) => {
      if (path.startsWith("/api/warehouses")) return WAREHOUSES_PAGE;
      throw new ApiError(403, "forbidden", { en: "permission push.rules required", zh: "需要 push.rules 权限" });
    });
    render(
      <ServicesContext.Provider value={fake.services}>
        <RulesScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    await vi.waitFor(() => expect(text("rules-error")).toBe("The rules could not be read: permission push.rules required"));
    expect(byTestId("rules-offline")).toBeNull();
    expect(byTestId("rules-retry")).not.toBeNull();
  });
});
