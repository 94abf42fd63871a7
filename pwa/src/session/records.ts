// The two small records the shell keeps (see storage.ts for why in localStorage): the session of
// the person logged in, and the device this phone is registered as. Logging out forgets the first
// and keeps the second, so the same person logging in again gets the same device id and outbox.

import type { Bilingual } from "../i18n/i18n";
import type { Session } from "../app/services";
import { readJson, writeJson, type KeyValueStorage } from "./storage";

/** Only people with this permission sync (a manager reads the API instead). */
export const SYNC_PERMISSION = "sync.use";

export const SESSION_KEY = "cangku.session";
export const DEVICE_KEY = "cangku.device";

/** Where the person works, with names for the screens (the API sends both languages). */
export interface WarehouseLabel {
  readonly id: number;
  readonly code: string;
  readonly name: Bilingual;
}

/** What is kept of a login; enough to open straight to home after an offline reload. */
export interface SavedSession extends Session {
  readonly warehouse: WarehouseLabel | null;
  readonly loggedInAt: number;
}

/** This phone's server-made device id and whose it is (a device belongs to one user, server-side). */
export interface DeviceOwner {
  readonly deviceId: string;
  readonly userId: number;
  readonly username: string;
  readonly warehouseId: number;
  /** Unacknowledged ops last seen: what would be lost if the database vanished. */
  readonly pending: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function int(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
}

function warehouseOf(value: unknown): WarehouseLabel | null {
  if (!isRecord(value)) return null;
  const id = int(value["id"]);
  const code = str(value["code"]);
  const name = value["name"];
  if (id === null || code === null || !isRecord(name)) return null;
  const en = str(name["en"]);
  const zh = str(name["zh"]);
  return en === null || zh === null ? null : { id, code, name: { en, zh } };
}

/** The saved session, or null when there is none or it is unreadable (then: log in). */
export function loadSession(storage: KeyValueStorage): SavedSession | null {
  const raw = readJson(storage, SESSION_KEY);
  if (!isRecord(raw)) return null;
  const userId = int(raw["userId"]);
  const username = str(raw["username"]);
  const displayName = str(raw["displayName"]);
  const deviceId = str(raw["deviceId"]);
  const warehouseId = int(raw["warehouseId"]);
  const loggedInAt = int(raw["loggedInAt"]) ?? 0;
  const permissions = Array.isArray(raw["permissions"])
    ? raw["permissions"].filter((p): p is string => typeof p === "string")
    : null;
  if (
    userId === null ||
    username === null ||
    displayName === null ||
    deviceId === null ||
    warehouseId === null ||
    permissions === null
  )
    return null;
  return {
    userId,
    username,
    displayName,
    permissions,
    deviceId,
    warehouseId,
    warehouse: warehouseOf(raw["warehouse"]),
    loggedInAt,
  };
}

export function saveSession(storage: KeyValueStorage, session: SavedSession | null): void {
  writeJson(storage, SESSION_KEY, session);
}

export function loadOwner(storage: KeyValueStorage): DeviceOwner | null {
  const raw = readJson(storage, DEVICE_KEY);
  if (!isRecord(raw)) return null;
  const deviceId = str(raw["deviceId"]);
  const userId = int(raw["userId"]);
  const username = str(raw["username"]);
  const warehouseId = int(raw["warehouseId"]);
  if (deviceId === null || userId === null || username === null || warehouseId === null) return null;
  return { deviceId, userId, username, warehouseId, pending: int(raw["pending"]) ?? 0 };
}

export function saveOwner(storage: KeyValueStorage, owner: DeviceOwner | null): void {
  writeJson(storage, DEVICE_KEY, owner);
}

/** Keeps the owner's last-seen pending count current (cheap: only written when it changes). */
export function notePending(storage: KeyValueStorage, pending: number): void {
  const owner = loadOwner(storage);
  if (owner !== null && owner.pending !== pending) saveOwner(storage, { ...owner, pending });
}

export function hasPermission(session: Session | null, permission: string): boolean {
  return session !== null && session.permissions.includes(permission);
}
