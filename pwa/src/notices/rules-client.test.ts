// The push rules client: the paths and bodies the server expects, refusals read back into the
// field they name (from the bodies the server really sends), offline told apart; and the rules'
// parameters as fields made from the server's JSON schema, checked before anything is sent.
import { describe, expect, test, vi } from "vitest";
import { ApiError, errorOf } from "../app/api";
import { placeholders } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";
import {
  fieldOf,
  listRules,
  listWarehouses,
  problemOf,
  resetRule,
  RulesProblem,
  saveRule,
  warehouseName,
  type Api,
} from "./rules-client";
import { BUILT_IN_RULES, ruleOf, WAREHOUSES_PAGE } from "./rules-fixtures";
import { choiceText, groupText, roleText, rulesText, urgencyText } from "./rules-messages";
import { cardDraft, changesOf, paramFields, parseDraft, type ParamField } from "./rules-params";

function recording(answer: (method: string, path: string, body: unknown) => unknown = () => null) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const api = vi.fn(async (method: string, path: string, body?: unknown) => {
    calls.push({ method, path, body });
    return answer(method, path, body);
  }) as unknown as Api;
  return { api, calls };
}

function refusing(error: unknown): Api {
  return (async () => {
    throw error;
  }) as unknown as Api;
}

/** Bodies the server sends (server/notify/rules.py, server/lib/error_handlers.py), as `api` turns them into errors. */
const REFUSALS = {
  param: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "urgent_cut_off params: Expected `int` <= 720 - at `$.cut_off_minutes`",
    message_zh: "提醒规则参数无效（cut_off_minutes）：Expected `int` <= 720 - at `$.cut_off_minutes`",
    field: "params.cut_off_minutes",
  }),
  listItem: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "urgent_cut_off params: Expected `str` matching regex '^([01]\\d|2[0-3]):[0-5]\\d$' - at `$.cut_offs[0]`",
    message_zh: "提醒规则参数无效（cut_offs）：…",
    field: "params.cut_offs",
  }),
  unknownParam: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "expiring_lot params: Object contains unknown field `days`",
    message_zh: "提醒规则参数无效（days）：Object contains unknown field `days`",
    field: "params.days",
  }),
  roles: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "unknown roles ['boss']; known: admin, counter, finance, manager, packer, picker, receiver, supervisor",
    message_zh: "角色不存在：boss",
    field: "roles",
  }),
  noRoles: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "name at least one role to notify (or disable the rule)",
    message_zh: "请至少指定一个接收角色（或停用该规则）",
    field: "roles",
  }),
  urgency: errorOf(400, {
    status: 400,
    code: "invalid_push_rule",
    message: "urgency must be very-low, low, normal or high",
    message_zh: "urgency 须为 very-low、low、normal 或 high",
    field: "urgency",
  }),
  defaultScope: errorOf(403, {
    status: 403,
    code: "push_rule_default_needs_all_warehouses",
    message: "the default push rules apply to every warehouse: give warehouse_id to change one warehouse's",
    message_zh: "默认提醒规则适用于所有仓库；请指定 warehouse_id 修改单个仓库的规则",
    field: "warehouse_id",
  }),
  malformed: errorOf(400, {
    status: 400,
    code: "invalid_input",
    message: "Expected `array` of length <= 8 - at `$.roles`",
    message_zh: "请求内容无效",
    field: "roles",
  }),
  nothingSaved: errorOf(404, {
    status: 404,
    code: "push_rule_not_found",
    message: "these settings are not saved (they already are the defaults)",
    message_zh: "该范围没有保存的设置（已是默认值）",
  }),
};

describe("calls", () => {
  test("lists the default or one warehouse's rules", async () => {
    const { api, calls } = recording(() => BUILT_IN_RULES);
    expect(await listRules(api, null)).toHaveLength(9);
    await listRules(api, 3);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["GET /api/push/rules", "GET /api/push/rules?warehouse_id=3"]);
  });

  test("saves one kind: warehouse_id only for a warehouse, the changes as given", async () => {
    const { api, calls } = recording((_m, _p, body) => ({ ...ruleOf("low_stock"), ...(body as object) }));
    await saveRule(api, "low_stock", null, { enabled: false });
    await saveRule(api, "low_stock", 2, { params: { days_of_cover: null } });
    expect(calls).toEqual([
      { method: "PUT", path: "/api/push/rules/low_stock", body: { enabled: false } },
      { method: "PUT", path: "/api/push/rules/low_stock", body: { warehouse_id: 2, params: { days_of_cover: null } } },
    ]);
  });

  test("resets a scope with DELETE; nothing saved there is the server's 404, told as sent", async () => {
    const { api, calls } = recording();
    await resetRule(api, "expiring_lot", null);
    await resetRule(api, "expiring_lot", 1);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "DELETE /api/push/rules/expiring_lot",
      "DELETE /api/push/rules/expiring_lot?warehouse_id=1",
    ]);
    const refused = await resetRule(refusing(REFUSALS.nothingSaved), "expiring_lot", 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RulesProblem);
    expect((refused as RulesProblem).status).toBe(404);
    expect((refused as RulesProblem).text.zh).toBe("该范围没有保存的设置（已是默认值）");
  });

  test("lists the warehouses the session sees, by code, named in both languages", async () => {
    const { api, calls } = recording(() => ({
      ...WAREHOUSES_PAGE,
      items: [...WAREHOUSES_PAGE.items, { id: 9, code: "GZ1", name_zh: "广州仓", name_en: "" }],
    }));
    const found = await listWarehouses(api);
    expect(calls[0]?.path).toBe("/api/warehouses?limit=500&active=true");
    expect(found.map((w) => [w.id, w.code, w.name])).toEqual([
      [2, "BJ1", { en: "Beijing", zh: "北京仓" }],
      [9, "GZ1", { en: "广州仓", zh: "广州仓" }],
      [1, "SH1", { en: "Shanghai", zh: "上海仓" }],
    ]);
    expect(warehouseName(found, 1)).toEqual({ en: "Shanghai", zh: "上海仓" });
    expect(warehouseName(found, 7)).toEqual({ en: "Warehouse 7", zh: "仓库 7" });
  });
});

describe("refusals", () => {
  test("name the field the server named in its refusal", () => {
    expect(fieldOf(REFUSALS.param)).toBe("params.cut_off_minutes");
    expect(fieldOf(REFUSALS.listItem)).toBe("params.cut_offs");
    expect(fieldOf(REFUSALS.unknownParam)).toBe("params.days");
    expect(fieldOf(REFUSALS.roles)).toBe("roles");
    expect(fieldOf(REFUSALS.noRoles)).toBe("roles");
    expect(fieldOf(REFUSALS.urgency)).toBe("urgency");
    expect(fieldOf(REFUSALS.defaultScope)).toBe("warehouse_id");
    expect(fieldOf(REFUSALS.malformed)).toBe("roles");
    expect(fieldOf(REFUSALS.nothingSaved)).toBeNull();
    // Should `api` ever pass the field on in `detail`, that wins.
    expect(fieldOf(new ApiError(400, "x", { en: "x", zh: "x" }, { field: "params.within_days" }))).toBe(
      "params.within_days",
    );
  });

  test("keep the server's words, and tell offline apart", async () => {
    const refused = await saveRule(refusing(REFUSALS.param), "urgent_cut_off", null, {}).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      status: 400,
      code: "invalid_push_rule",
      field: "params.cut_off_minutes",
      offline: false,
      text: { en: REFUSALS.param.text.en, zh: REFUSALS.param.text.zh },
    });
    const offline = await listRules(refusing(new NetworkError("Failed to fetch")), null).catch((e: unknown) => e);
    expect(offline).toMatchObject({ offline: true, text: rulesText.offline });
    expect(problemOf(new TypeError("boom")).text).toEqual(rulesText.failed);
  });
});

describe("parameters from the schema", () => {
  const fields = (kind: string): ParamField[] => paramFields(ruleOf(kind));

  test("every kind's schema gives the fields the brief names, in the help's order", () => {
    expect(fields("urgent_vip")).toEqual([]);
    expect(fields("count_variance")).toEqual([]);
    expect(fields("urgent_cut_off")).toMatchObject([
      { name: "cut_off_minutes", type: "integer", min: 1, max: 720, nullable: false },
      { name: "cut_offs", type: "list", times: true, minItems: 1, maxItems: 12 },
    ]);
    expect(fields("urgent_late_risk")).toMatchObject([
      { name: "late_margin_minutes", type: "integer", min: 0, max: 2880 },
      { name: "promotion", type: "boolean" },
    ]);
    expect(fields("sync_exception")).toMatchObject([
      { name: "statuses", type: "choices", options: ["applied_with_exception", "held", "rejected"], minItems: 1 },
    ]);
    expect(fields("low_stock")).toMatchObject([
      { name: "min_units", type: "integer", min: 0, max: 1_000_000_000, nullable: false },
      { name: "days_of_cover", type: "integer", min: 1, max: 365, nullable: true },
      { name: "lookback_days", type: "integer", min: 1, max: 90, nullable: false },
    ]);
    expect(fields("expiring_lot")).toMatchObject([{ name: "within_days", type: "integer", min: 1, max: 365 }]);
    expect(fields("low_stock")[1]?.help?.label_zh).toBe("可售天数");
    // Every field of every kind can be edited here.
    expect(BUILT_IN_RULES.flatMap((r) => paramFields(r)).filter((f) => f.type === "other")).toEqual([]);
  });

  test("drafts are checked against the schema before anything is sent", () => {
    const [minutes, cutOffs] = fields("urgent_cut_off") as [ParamField, ParamField];
    expect(parseDraft(minutes, " 90 ")).toEqual({ ok: true, value: 90 });
    expect(parseDraft(minutes, "0")).toEqual({ ok: false, error: { en: "From 1 to 720.", zh: "应在 1 至 720 之间。" } });
    expect(parseDraft(minutes, "1.5")).toEqual({ ok: false, error: rulesText.wholeNumber });
    expect(parseDraft(minutes, "")).toEqual({ ok: false, error: rulesText.required });
    expect(parseDraft(cutOffs, "11:00，17:30, 09:05")).toEqual({ ok: true, value: ["11:00", "17:30", "09:05"] });
    expect(parseDraft(cutOffs, "11:00, 9:00")).toEqual({ ok: false, error: rulesText.timesFormat });
    expect(parseDraft(cutOffs, "24:00")).toEqual({ ok: false, error: rulesText.timesFormat });
    expect(parseDraft(cutOffs, " , ")).toMatchObject({ ok: false, error: { en: "Give 1 to 12." } });
    const cover = fields("low_stock")[1] as ParamField;
    expect(parseDraft(cover, "")).toEqual({ ok: true, value: null });
    expect(parseDraft(cover, "366")).toMatchObject({ ok: false });
    const statuses = fields("sync_exception")[0] as ParamField;
    expect(parseDraft(statuses, ["rejected", "held"])).toEqual({ ok: true, value: ["held", "rejected"] });
    expect(parseDraft(statuses, [])).toMatchObject({ ok: false, error: { en: "Give at least 1." } });
  });

  test("only what differs from the rule in effect is sent", () => {
    const rule = ruleOf("low_stock");
    const f = paramFields(rule);
    const draft = cardDraft(rule, f);
    expect(draft).toEqual({
      enabled: true,
      roles: ["manager"],
      urgency: "normal",
      params: { min_units: "5", days_of_cover: "", lookback_days: "14" },
    });
    expect(changesOf(rule, f, draft)).toEqual({ changes: {}, errors: {} });
    const edited = {
      ...draft,
      roles: ["supervisor", "manager"],
      params: { ...draft.params, days_of_cover: "7" },
    };
    expect(changesOf(rule, f, edited)).toEqual({
      changes: { roles: ["supervisor", "manager"], params: { days_of_cover: 7 } },
      errors: {},
    });
    expect(changesOf(rule, f, { ...draft, roles: [], params: { ...draft.params, lookback_days: "91" } }).errors).toEqual({
      roles: rulesText.needRole,
      "params.lookback_days": { en: "From 1 to 90.", zh: "应在 1 至 90 之间。" },
    });
    // The same outcomes in another order are no change.
    const sync = ruleOf("sync_exception");
    const syncFields = paramFields(sync);
    const reordered = { ...cardDraft(sync, syncFields), params: { statuses: ["held", "rejected", "applied_with_exception"] } };
    expect(changesOf(sync, syncFields, reordered).changes).toEqual({});
  });
});

test("every message has both languages with the same placeholders", () => {
  for (const table of [rulesText, roleText, urgencyText, groupText, choiceText]) {
    for (const [key, text] of Object.entries(table)) {
      expect(text.en, key).not.toBe("");
      expect(text.zh, key).not.toBe("");
      expect(placeholders(text.zh), key).toEqual(placeholders(text.en));
    }
  }
});
