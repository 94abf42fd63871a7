// A rule's parameters as form fields, made from what the server sends: the JSON schema msgspec
// writes for the kind's parameter Struct (`params_schema`) and the bilingual `params_help`. Each
// field keeps what the person typed as a draft; `changesOf` checks the drafts against the schema
// and answers only what differs from the rule in effect (the server merges the rest).

import type { Bilingual } from "../i18n/i18n";
import { format } from "../i18n/i18n";
import type { ParamHelp, Rule, RuleChanges } from "./rules-client";
import { rulesText } from "./rules-messages";

interface FieldBase {
  readonly name: string;
  readonly help: ParamHelp | null;
}

export type ParamField =
  /** A number input; `nullable`: empty is allowed and sent as null. */
  | (FieldBase & { readonly type: "integer"; readonly min: number | null; readonly max: number | null; readonly nullable: boolean })
  | (FieldBase & { readonly type: "boolean" })
  /** An array of enum strings: one checkbox per value. */
  | (FieldBase & {
      readonly type: "choices";
      readonly options: readonly string[];
      readonly minItems: number | null;
      readonly maxItems: number | null;
    })
  /** An array of strings (HH:MM times): one text input, comma-separated, each checked with `pattern`. */
  | (FieldBase & {
      readonly type: "list";
      readonly pattern: RegExp | null;
      readonly times: boolean;
      readonly minItems: number | null;
      readonly maxItems: number | null;
    })
  /** Something this screen cannot edit: shown, never sent. */
  | (FieldBase & { readonly type: "other" });

export type ParamDraft = string | boolean | readonly string[];

export interface CardDraft {
  readonly enabled: boolean;
  readonly roles: readonly string[];
  readonly urgency: string;
  readonly params: Readonly<Record<string, ParamDraft>>;
}

type Json = Readonly<Record<string, unknown>>;

function record(value: unknown): Json | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Follows `{"$ref": "#/$defs/Name"}` within the schema's own `$defs`. */
function resolve(node: unknown, root: Json): Json | null {
  let current = record(node);
  for (let hops = 0; current !== null && typeof current["$ref"] === "string" && hops < 8; hops += 1) {
    const ref = current["$ref"] as string;
    const prefix = "#/$defs/";
    current = ref.startsWith(prefix) ? record(record(root["$defs"])?.[ref.slice(prefix.length)]) : null;
  }
  return current;
}

/** The schema without its `null` alternative (`int | None` is `anyOf: [{…}, {type: null}]`). */
function nonNull(schema: Json, root: Json): { schema: Json | null; nullable: boolean } {
  const alternatives = schema["anyOf"] ?? schema["oneOf"];
  if (Array.isArray(alternatives)) {
    const resolved = alternatives.map((a) => resolve(a, root));
    const others = resolved.filter((a) => a === null || a["type"] !== "null");
    const nullable = others.length < resolved.length;
    return { schema: others.length === 1 ? (others[0] ?? null) : null, nullable };
  }
  const type = schema["type"];
  if (Array.isArray(type) && type.includes("null")) {
    const rest = type.filter((t) => t !== "null");
    return { schema: { ...schema, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  return { schema, nullable: false };
}

function patternOf(source: unknown): RegExp | null {
  if (typeof source !== "string") return null;
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

function fieldOf(name: string, node: unknown, root: Json, help: ParamHelp | null): ParamField {
  const base = { name, help };
  const resolved = resolve(node, root);
  if (resolved === null) return { ...base, type: "other" };
  const { schema, nullable } = nonNull(resolved, root);
  if (schema === null) return { ...base, type: "other" };
  const type = schema["type"];
  if (type === "integer") {
    const exclusiveMin = num(schema["exclusiveMinimum"]);
    const exclusiveMax = num(schema["exclusiveMaximum"]);
    return {
      ...base,
      type: "integer",
      min: num(schema["minimum"]) ?? (exclusiveMin === null ? null : exclusiveMin + 1),
      max: num(schema["maximum"]) ?? (exclusiveMax === null ? null : exclusiveMax - 1),
      nullable,
    };
  }
  if (type === "boolean" && !nullable) return { ...base, type: "boolean" };
  if (type === "array" && !nullable) {
    const items = resolve(schema["items"], root);
    const minItems = num(schema["minItems"]);
    const maxItems = num(schema["maxItems"]);
    const choices = items?.["enum"];
    if (Array.isArray(choices) && choices.every((c) => typeof c === "string")) {
      return { ...base, type: "choices", options: choices as string[], minItems, maxItems };
    }
    if (items?.["type"] === "string") {
      const description = typeof items["description"] === "string" ? items["description"] : "";
      const pattern = typeof items["pattern"] === "string" ? items["pattern"] : "";
      return {
        ...base,
        type: "list",
        pattern: patternOf(items["pattern"]),
        times: description.includes("HH:MM") || pattern.includes(":[0-5]"),
        minItems,
        maxItems,
      };
    }
  }
  return { ...base, type: "other" };
}

/** The rule's parameters as fields: in the order of `params_help`, then any the help leaves out. */
export function paramFields(rule: Rule): ParamField[] {
  const root = record(rule.params_schema) ?? {};
  const struct = resolve(root, root);
  const properties = record(struct?.["properties"]) ?? {};
  const names = [
    ...rule.params_help.map((h) => h.name).filter((n) => n in properties),
    ...Object.keys(properties).filter((n) => !rule.params_help.some((h) => h.name === n)),
  ];
  return names.map((name) =>
    fieldOf(name, properties[name], root, rule.params_help.find((h) => h.name === name) ?? null),
  );
}

/** What the field shows for a value the server sent. */
export function draftOf(field: ParamField, value: unknown): ParamDraft {
  switch (field.type) {
    case "integer":
      return typeof value === "number" ? String(value) : "";
    case "boolean":
      return value === true;
    case "choices":
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    case "list":
      return Array.isArray(value) ? value.map(String).join(", ") : "";
    case "other":
      return value === undefined ? "" : JSON.stringify(value);
  }
}

export function cardDraft(rule: Rule, fields: readonly ParamField[]): CardDraft {
  const params: Record<string, ParamDraft> = {};
  for (const field of fields) params[field.name] = draftOf(field, rule.params[field.name]);
  return { enabled: rule.enabled, roles: [...rule.roles], urgency: rule.urgency, params };
}

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Bilingual };

function fill(text: Bilingual, params: Record<string, string | number>): Bilingual {
  return { en: format(text.en, params), zh: format(text.zh, params) };
}

function bounded(n: number, min: number | null, max: number | null, texts: {
  between: Bilingual;
  atLeast: Bilingual;
  atMost: Bilingual;
}): Bilingual | null {
  if ((min !== null && n < min) || (max !== null && n > max)) {
    if (min !== null && max !== null) return fill(texts.between, { min, max });
    return min !== null ? fill(texts.atLeast, { min }) : fill(texts.atMost, { max: max ?? 0 });
  }
  return null;
}

const NUMBER_LIMITS = { between: rulesText.between, atLeast: rulesText.atLeast, atMost: rulesText.atMost };
const COUNT_LIMITS = { between: rulesText.itemsBetween, atLeast: rulesText.itemsAtLeast, atMost: rulesText.itemsAtMost };

/** The value to send for a draft, or why it cannot be sent. */
export function parseDraft(field: ParamField, draft: ParamDraft): Parsed {
  switch (field.type) {
    case "integer": {
      const text = typeof draft === "string" ? draft.trim() : "";
      if (text === "") return field.nullable ? { ok: true, value: null } : { ok: false, error: rulesText.required };
      if (!/^-?\d+$/.test(text)) return { ok: false, error: rulesText.wholeNumber };
      const n = Number(text);
      const out = bounded(n, field.min, field.max, NUMBER_LIMITS);
      return out === null ? { ok: true, value: n } : { ok: false, error: out };
    }
    case "boolean":
      return { ok: true, value: draft === true };
    case "choices": {
      const picked = Array.isArray(draft) ? draft : [];
      const value = field.options.filter((o) => picked.includes(o));
      const max = field.maxItems !== null && field.maxItems < field.options.length ? field.maxItems : null;
      const out = bounded(value.length, field.minItems, max, COUNT_LIMITS);
      return out === null ? { ok: true, value } : { ok: false, error: out };
    }
    case "list": {
      const text = typeof draft === "string" ? draft : "";
      const value = text.split(/[\s,，、;；]+/).filter((part) => part !== "");
      const bad = field.pattern === null ? undefined : value.find((v) => !(field.pattern as RegExp).test(v));
      if (bad !== undefined) {
        return { ok: false, error: field.times ? rulesText.timesFormat : fill(rulesText.badValue, { value: bad }) };
      }
      const out = bounded(value.length, field.minItems, field.maxItems, COUNT_LIMITS);
      return out === null ? { ok: true, value } : { ok: false, error: out };
    }
    case "other":
      return { ok: false, error: fill(rulesText.notEditable, { value: typeof draft === "string" ? draft : "" }) };
  }
}

function sameValue(field: ParamField, a: unknown, b: unknown): boolean {
  if (field.type === "choices" && Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v) => b.includes(v));
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

export interface Changes {
  /** Only what differs from the rule in effect; empty when nothing does. */
  readonly changes: RuleChanges;
  /** Problems found before sending, by field (`roles`, `params.within_days` …). */
  readonly errors: Readonly<Record<string, Bilingual>>;
}

/** What saving the card would send, and what must be fixed first. */
export function changesOf(rule: Rule, fields: readonly ParamField[], draft: CardDraft): Changes {
  const errors: Record<string, Bilingual> = {};
  const changes: { -readonly [K in keyof RuleChanges]: RuleChanges[K] } = {};
  if (draft.enabled !== rule.enabled) changes.enabled = draft.enabled;
  if (draft.roles.length === 0) errors["roles"] = rulesText.needRole;
  else if (!sameRoles(draft.roles, rule.roles)) changes.roles = draft.roles;
  if (draft.urgency !== rule.urgency) changes.urgency = draft.urgency;
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.type === "other") continue;
    const parsed = parseDraft(field, draft.params[field.name] ?? draftOf(field, undefined));
    if (!parsed.ok) errors[`params.${field.name}`] = parsed.error;
    else if (!sameValue(field, parsed.value, rule.params[field.name])) params[field.name] = parsed.value;
  }
  if (Object.keys(params).length > 0) changes.params = params;
  return { changes, errors };
}
