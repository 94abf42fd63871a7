// What a push brings (server/notify/compose.py `payload_json`) and where it leads. Pure functions,
// shared by the service worker and the page; nothing here may import the app (the worker bundles
// it).
//
// The payload is read defensively: a push must always show something (Chrome shows its own "site
// updated in the background" line for a push that shows nothing, and may stop delivering), so
// garbage becomes a generic bilingual notice rather than an exception.

import type { Bilingual } from "../i18n/i18n";

export interface PushPayload {
  readonly kind: string;
  readonly title: Bilingual;
  readonly body: Bilingual;
  /** As the server wrote it: an app route (`/#/order/12`) or an older path (`/orders/12`). */
  readonly url: string;
  readonly tag: string;
  /** When the (latest) notification was queued, ms since the epoch. */
  readonly at: number;
  /** More than 1: a summary ("12 urgent orders"). */
  readonly count: number;
  readonly urgency: Urgency;
}

export type Urgency = "very-low" | "low" | "normal" | "high";

export const GENERIC_TITLE: Bilingual = { en: "Cangku", zh: "仓库" };
export const GENERIC_BODY: Bilingual = {
  en: "You have a new notification. Open the app to see it.",
  zh: "您有一条新通知，请打开应用查看。",
};

/** Kinds that buzz again when they replace a shown notification of the same tag. */
const HIGH_KINDS = new Set(["urgent_order", "urgent_cut_off"]);
const URGENCIES = new Set<string>(["very-low", "low", "normal", "high"]);

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown, max: number): string {
  return typeof value === "string" ? value.trim().slice(0, max) : "";
}

/** `{en, zh}` with each side falling back to the other, then to `fallback`. */
function bilingual(value: unknown, fallback: Bilingual, max: number): Bilingual {
  const raw = record(value);
  const en = text(raw["en"], max);
  const zh = text(raw["zh"], max);
  if (en === "" && zh === "") return fallback;
  return { en: en || zh, zh: zh || en };
}

/** ISO 8601 (any number of fractional digits) or ms; NaN when unreadable. */
export function parseTime(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== "string") return Number.NaN;
  const direct = Date.parse(value);
  if (!Number.isNaN(direct)) return direct;
  // Python's isoformat gives microseconds; some engines only read milliseconds.
  return Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
}

/** The push's JSON as a payload; never throws (`now` stands in for a missing time). */
export function parsePayload(data: string | null, now: number): PushPayload {
  let raw: Record<string, unknown> = {};
  if (data !== null) {
    try {
      raw = record(JSON.parse(data));
    } catch {
      raw = {};
    }
  }
  const kind = text(raw["kind"], 48) || "generic";
  const at = parseTime(raw["at"]);
  const rawCount = raw["count"];
  const count = typeof rawCount === "number" && Number.isInteger(rawCount) && rawCount > 0 ? rawCount : 1;
  const urgency = typeof raw["urgency"] === "string" && URGENCIES.has(raw["urgency"]) ? raw["urgency"] : null;
  const title = bilingual(raw["title"], GENERIC_TITLE, 200);
  // No readable title: say at least that something came, and where to look.
  const body = bilingual(raw["body"], title === GENERIC_TITLE ? GENERIC_BODY : { en: "", zh: "" }, 600);
  return {
    kind,
    title,
    body,
    url: safeUrl(raw["url"]),
    tag: text(raw["tag"], 64) || kind,
    at: Number.isNaN(at) ? now : at,
    count,
    urgency: (urgency as Urgency | null) ?? (HIGH_KINDS.has(kind) ? "high" : "normal"),
  };
}

/** Only paths inside the app: a push must never send the phone to another site. */
function safeUrl(value: unknown): string {
  const url = text(value, 500);
  return url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

/**
 * The app's hash route for a notification's URL: `/#/order/12` → `#/order/12`. Older server paths
 * are mapped too (`/orders/12` → `#/order/12`, `/orders?urgent=1` → `#/urgent`, `/supervisor` →
 * `#/supervisor`), so notifications queued before the server spoke hash routes still open.
 */
export function routeOf(url: string): string {
  const hash = url.indexOf("#/");
  if (hash >= 0) return url.slice(hash);
  const [path = "", query = ""] = url.split("?", 2);
  const parts = path.split("/").filter((part) => part !== "");
  if (parts[0] === "orders") {
    if (parts.length === 1 && /(^|&)urgent=1(&|$)/.test(query)) return "#/urgent";
    if (parts[1] === "urgent") return "#/urgent";
    if (parts.length === 2 && /^\d+$/.test(parts[1] ?? "")) return `#/order/${parts[1]}`;
  }
  return `#/${parts.join("/")}`;
}

/** The address a new window opens for a notification (the shell, at the route). */
export function windowUrl(origin: string, url: string): string {
  return `${origin}/${routeOf(url)}`;
}
