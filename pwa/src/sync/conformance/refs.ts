// README §3 of sync/vectors: `$refs` → ids, event-time offsets → wall times and derived HLC
// stamps, as the server's runner (tests/sync_vectors.py) computes them.

import { isJsonObject, type JsonValue } from "../../store/json";

const REF = /\$([A-Za-z][A-Za-z0-9_]*)/g;
const WHOLE_REF = /^\$([A-Za-z][A-Za-z0-9_]*)$/;
const OFFSET = /^([+-]?)(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Symbolic names → ids: a number for rows, the device id text for devices (§3.1). */
export class Refs {
  readonly ids = new Map<string, number | string>();

  id(name: string): number | string {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`unknown ref $${name}`);
    return id;
  }

  int(name: string): number {
    const id = this.id(name);
    if (typeof id !== "number") throw new Error(`$${name} is not a row`);
    return id;
  }

  resolve(value: JsonValue): JsonValue {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (isJsonObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.#text(key), this.resolve(item)]));
    }
    if (typeof value !== "string") return value;
    const whole = WHOLE_REF.exec(value);
    return whole === null ? this.#text(value) : this.id(whole[1] ?? "");
  }

  #text(value: string): string {
    return value.replace(REF, (_, name: string) => String(this.id(name)));
  }
}

/** `"-60m"` → −3,600,000 ms (§3.2). */
export function parseOffset(text: string): number {
  const match = OFFSET.exec(text);
  if (match === null) throw new Error(`not a time offset: ${text}`);
  const amount = Number(match[2]) * (UNIT_MS[match[3] ?? ""] ?? Number.NaN);
  return match[1] === "-" ? -amount : amount;
}

/** Python's `datetime.isoformat()` of a UTC time: the runner's `wall_time` (§3.2). */
export function pythonIsoformat(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-30T08:00:00.000Z
  const micros = ms % 1000 === 0 ? "" : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${micros}+00:00`;
}

/** The derived stamp of §3.2: `<ms>-<counter>-<first 8 chars of the device id>`. */
export function derivedStamp(ms: number, counter: number, deviceId: string): string {
  return `${String(ms).padStart(13, "0")}-${counter.toString(16).padStart(4, "0")}-${deviceId.slice(0, 8)}`;
}
