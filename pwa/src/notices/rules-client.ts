// Typed client of the push rules (GET/PUT/DELETE /api/push/rules, ADR-0020) and of the warehouses
// a manager may pick a scope from. Calls go through the app's `api` (ApiError / NetworkError);
// failures come out as `RulesProblem`: bilingual words for the person, whether the phone was
// offline, and the field the server named, so the screen can put the message next to it.

import { ApiError } from "../app/api";
import type { Bilingual } from "../i18n/i18n";
import type { WarehouseLabel } from "../session/records";
import { listWarehouseLabels, placeholderLabel } from "../session/warehouses";
import { NetworkError } from "../sync/transport";
import type { Urgency } from "./payload";
import { rulesText } from "./rules-messages";

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** server/auth/models.py `Role`, in the order the screen lists them. */
export const ROLES = ["picker", "receiver", "counter", "packer", "supervisor", "manager", "finance", "admin"] as const;

/** server/notify/models.py `Urgency`, least urgent first. */
export const URGENCIES: readonly Urgency[] = ["very-low", "low", "normal", "high"];

/** Where the settings in effect come from. */
export type RuleSource = "built_in" | "default" | "warehouse";

export interface ParamHelp {
  readonly name: string;
  readonly label_en: string;
  readonly label_zh: string;
  readonly help_en: string;
  readonly help_zh: string;
}

/** `RuleOut` (server/notify/schemas.py). */
export interface Rule {
  readonly kind: string;
  /** `urgent_orders`, `supervisor` or `stock`. */
  readonly group: string;
  readonly label_en: string;
  readonly label_zh: string;
  readonly description_en: string;
  readonly description_zh: string;
  /** The scope asked about; null: the installation's default. */
  readonly warehouse_id: number | null;
  readonly source: RuleSource | string;
  readonly enabled: boolean;
  readonly roles: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly urgency: string;
  readonly critical: boolean;
  /** msgspec's JSON schema of the kind's parameter Struct. */
  readonly params_schema: Readonly<Record<string, unknown>>;
  readonly params_help: readonly ParamHelp[];
  /** The defaults in code: `{enabled, roles, params, urgency, critical}`. */
  readonly built_in: Readonly<Record<string, unknown>>;
  /** Warehouses with their own settings for this kind. */
  readonly overridden_in: readonly number[];
  readonly updated_at: string | null;
  readonly updated_by_user_id: number | null;
}

/** `RuleInput`: a field left out keeps the value in effect; `params` are merged over it. */
export interface RuleChanges {
  readonly enabled?: boolean;
  readonly roles?: readonly string[];
  readonly params?: Readonly<Record<string, unknown>>;
  readonly urgency?: string;
  readonly critical?: boolean;
}

export interface RuleInput extends RuleChanges {
  readonly warehouse_id?: number;
}

export type WarehouseOption = WarehouseLabel;

export class RulesProblem extends Error {
  override readonly name = "RulesProblem";
  readonly text: Bilingual;
  /** The phone could not reach the server. */
  readonly offline: boolean;
  /** HTTP status and code of a refusal; 0 and "" when there was none. */
  readonly status: number;
  readonly code: string;
  /** The field the refusal names (`params.cut_off_minutes`, `roles`, `warehouse_id` …), if any. */
  readonly field: string | null;

  constructor(
    text: Bilingual,
    options: { offline?: boolean; status?: number; code?: string; field?: string | null; cause?: unknown } = {},
  ) {
    super(text.en, { cause: options.cause });
    this.text = text;
    this.offline = options.offline ?? false;
    this.status = options.status ?? 0;
    this.code = options.code ?? "";
    this.field = options.field ?? null;
  }
}

/** The field a refusal names: the server's `field` (server/notify/rules.py names one for every
 * refusal of a rule's settings), or `detail.field` where a handler puts it there. */
export function fieldOf(error: ApiError): string | null {
  if (error.field !== null) return error.field;
  const detail = error.detail;
  if (typeof detail === "object" && detail !== null) {
    const named = (detail as Record<string, unknown>)["field"];
    if (typeof named === "string" && named !== "") return named;
  }
  return null;
}

/** What a failed call means to the person. */
export function problemOf(error: unknown): RulesProblem {
  if (error instanceof RulesProblem) return error;
  if (error instanceof NetworkError) return new RulesProblem(rulesText.offline, { offline: true, cause: error });
  if (error instanceof ApiError) {
    return new RulesProblem(error.text, {
      status: error.status,
      code: error.code,
      field: fieldOf(error),
      cause: error,
    });
  }
  return new RulesProblem(rulesText.failed, { cause: error });
}

function scopeQuery(warehouseId: number | null): string {
  return warehouseId === null ? "" : `?warehouse_id=${warehouseId}`;
}

export function rulesPath(warehouseId: number | null): string {
  return `/api/push/rules${scopeQuery(warehouseId)}`;
}

export function rulePath(kind: string, warehouseId: number | null = null): string {
  return `/api/push/rules/${encodeURIComponent(kind)}${scopeQuery(warehouseId)}`;
}

/** Every rule kind with the settings in effect for the warehouse (null: the default). */
export async function listRules(api: Api, warehouseId: number | null): Promise<Rule[]> {
  try {
    const rules = await api<Rule[] | null>("GET", rulesPath(warehouseId));
    return Array.isArray(rules) ? rules : [];
  } catch (error: unknown) {
    throw problemOf(error);
  }
}

/** Changes one kind for the default (null) or one warehouse; answers the rule now in effect there. */
export async function saveRule(
  api: Api,
  kind: string,
  warehouseId: number | null,
  changes: RuleChanges,
): Promise<Rule> {
  const body: RuleInput = warehouseId === null ? { ...changes } : { warehouse_id: warehouseId, ...changes };
  try {
    return await api<Rule>("PUT", rulePath(kind), body);
  } catch (error: unknown) {
    throw problemOf(error);
  }
}

/**
 * Forgets the scope's saved settings: a warehouse goes back to the default, the default to the
 * built-in one. Nothing saved there is a 404 (`push_rule_not_found`).
 */
export async function resetRule(api: Api, kind: string, warehouseId: number | null): Promise<void> {
  try {
    await api<null>("DELETE", rulePath(kind, warehouseId));
  } catch (error: unknown) {
    throw problemOf(error);
  }
}

/** The active warehouses the session may see (the server scopes the list), by code. */
export async function listWarehouses(api: Api): Promise<WarehouseOption[]> {
  try {
    return (await listWarehouseLabels(api)).sort((a, b) => a.code.localeCompare(b.code));
  } catch (error: unknown) {
    throw problemOf(error);
  }
}

/** A warehouse's name, or its number when it is not among those listed. */
export function warehouseName(warehouses: readonly WarehouseOption[], id: number): Bilingual {
  const found = warehouses.find((w) => w.id === id);
  return (found ?? placeholderLabel(id)).name;
}
