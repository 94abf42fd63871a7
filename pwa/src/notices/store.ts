// The notification centre's own small database (`cangku-notices`), written by the service worker
// when a push arrives and by the page when it reads the server's list, so the centre opens with no
// network. Separate from the device database (`cangku`, the outbox): the worker never opens that
// one, and an upgrade of either never waits on the other.
//
// Two kinds of rows share one store: `push:…` (what a push brought; the payload carries no server
// id) and `server:<id>` (from GET /api/notifications). When the server's list arrives, a push row it
// covers (same kind, same time) hands over its read mark and goes, so nothing shows twice.

import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Bilingual, Lang } from "../i18n/i18n";
import { parseTime, type PushPayload } from "./payload";

export const NOTICES_DB = "cangku-notices";
const VERSION = 1;
/** The centre keeps this many; older ones are dropped (the server keeps its own list). */
export const KEEP = 200;
/** A push and the server's row for the same notification carry the same time, give or take this. */
const SAME_MOMENT_MS = 2000;

export interface NoticeRecord {
  readonly key: string;
  readonly serverId: number | null;
  readonly kind: string;
  readonly title: Bilingual;
  readonly body: Bilingual;
  readonly url: string;
  readonly tag: string;
  /** When the server queued it (ms). */
  readonly at: number;
  /** More than 1: a push that summarised that many. */
  readonly count: number;
  readonly urgency: string;
  readonly readAt: number | null;
  /** The server knows about `readAt` (server rows only; push rows hand it over when covered). */
  readonly readSent: boolean;
}

/** One item of GET /api/notifications. */
export interface ServerNotice {
  readonly id: number;
  readonly kind: string;
  readonly title_en: string;
  readonly title_zh: string;
  readonly body_en: string;
  readonly body_zh: string;
  readonly url: string;
  readonly urgency: string;
  readonly created_at: string;
  readonly read_at: string | null;
}

export interface Settings {
  /** The app's language, written by the page; the worker shows notifications in it. */
  lang: Lang;
  /** The user the rows belong to; another user logging in on the phone starts an empty centre. */
  user: number;
  /** End-to-end tests may ask the worker to click a notification (never set outside tests). */
  testHooks: boolean;
}

interface NoticesSchema extends DBSchema {
  notices: { key: string; value: NoticeRecord; indexes: { by_at: number } };
  settings: { key: keyof Settings; value: Settings[keyof Settings] };
}

export type NoticesDb = IDBPDatabase<NoticesSchema>;

export async function openNoticesDb(name: string = NOTICES_DB): Promise<NoticesDb> {
  const db = await openDB<NoticesSchema>(name, VERSION, {
    upgrade(database) {
      const notices = database.createObjectStore("notices", { keyPath: "key" });
      notices.createIndex("by_at", "at");
      database.createObjectStore("settings");
    },
    blocking() {
      db.close(); // a newer version (another tab, a new worker) is waiting to upgrade
    },
  });
  return db;
}

export async function getSetting<K extends keyof Settings>(db: NoticesDb, key: K): Promise<Settings[K] | undefined> {
  return (await db.get("settings", key)) as Settings[K] | undefined;
}

export async function putSetting<K extends keyof Settings>(db: NoticesDb, key: K, value: Settings[K]): Promise<void> {
  await db.put("settings", value, key);
}

export function pushKey(payload: PushPayload): string {
  return `push:${payload.tag}:${payload.at}:${payload.count}`;
}

/** Keeps what a push brought; the same push delivered twice is one row (its read mark kept). */
export async function addPush(db: NoticesDb, payload: PushPayload): Promise<NoticeRecord> {
  const key = pushKey(payload);
  const tx = db.transaction("notices", "readwrite");
  const found = await tx.store.get(key);
  const row: NoticeRecord = found ?? {
    key,
    serverId: null,
    kind: payload.kind,
    title: payload.title,
    body: payload.body,
    url: payload.url,
    tag: payload.tag,
    at: payload.at,
    count: payload.count,
    urgency: payload.urgency,
    readAt: null,
    readSent: false,
  };
  if (found === undefined) await tx.store.put(row);
  await tx.done;
  await prune(db);
  return row;
}

/** Newest first. */
export async function listNotices(db: NoticesDb, limit: number = KEEP): Promise<NoticeRecord[]> {
  const rows: NoticeRecord[] = [];
  let cursor = await db.transaction("notices").store.index("by_at").openCursor(null, "prev");
  while (cursor !== null && rows.length < limit) {
    rows.push(cursor.value);
    cursor = await cursor.continue();
  }
  return rows;
}

export async function countUnread(db: NoticesDb): Promise<number> {
  return (await db.getAll("notices")).filter((row) => row.readAt === null).length;
}

/** Marks one row read on this phone (the page tells the server); null if it is gone. */
export async function markRead(db: NoticesDb, key: string, now: number): Promise<NoticeRecord | null> {
  const tx = db.transaction("notices", "readwrite");
  const row = await tx.store.get(key);
  let next: NoticeRecord | null = null;
  if (row !== undefined) {
    next = row.readAt === null ? { ...row, readAt: now, readSent: false } : row;
    if (next !== row) await tx.store.put(next);
  }
  await tx.done;
  return next;
}

/** What a shown notification remembers of the push that made it (worker.ts `NoticeData`). */
export interface PushRef {
  readonly key: string;
  readonly kind: string;
  readonly at: number;
  readonly count: number;
}

/**
 * A tapped notification, read: its push row, or — when the server's list has replaced that row
 * since — the server rows it stood for (the `count` newest of its kind up to its time).
 */
export async function markPushRead(db: NoticesDb, ref: PushRef, now: number): Promise<number> {
  const tx = db.transaction("notices", "readwrite");
  const own = await tx.store.get(ref.key);
  let rows: NoticeRecord[] = [];
  if (own !== undefined) {
    rows = [own];
  } else {
    const ofKind = (await tx.store.getAll())
      .filter((row) => row.kind === ref.kind && row.at <= ref.at + SAME_MOMENT_MS)
      .sort((a, b) => b.at - a.at);
    // Only if the newest of them is the push's own notification (the server listed it).
    const newest = ofKind[0];
    if (newest !== undefined && Math.abs(newest.at - ref.at) < SAME_MOMENT_MS) {
      rows = ofKind.slice(0, Math.max(1, ref.count));
    }
  }
  let marked = 0;
  for (const row of rows) {
    if (row.readAt !== null) continue;
    await tx.store.put({ ...row, readAt: now, readSent: false });
    marked += 1;
  }
  await tx.done;
  return marked;
}

export async function markAllRead(db: NoticesDb, now: number): Promise<void> {
  const tx = db.transaction("notices", "readwrite");
  for (const row of await tx.store.getAll()) {
    if (row.readAt === null) await tx.store.put({ ...row, readAt: now, readSent: false });
  }
  await tx.done;
}

/** Server ids read on this phone that the server has not been told about yet. */
export async function pendingReads(db: NoticesDb): Promise<number[]> {
  return (await db.getAll("notices"))
    .filter((row) => row.serverId !== null && row.readAt !== null && !row.readSent)
    .map((row) => row.serverId as number)
    .sort((a, b) => a - b);
}

/** The server took these read marks (`all`: every row it has). */
export async function noteReadsSent(db: NoticesDb, ids: readonly number[] | "all", now: number): Promise<void> {
  const wanted = ids === "all" ? null : new Set(ids);
  const tx = db.transaction("notices", "readwrite");
  for (const row of await tx.store.getAll()) {
    if (row.serverId === null || (wanted !== null && !wanted.has(row.serverId))) continue;
    if (row.readSent && row.readAt !== null) continue;
    await tx.store.put({ ...row, readAt: row.readAt ?? now, readSent: true });
  }
  await tx.done;
}

function fromServer(item: ServerNotice, kept: NoticeRecord | undefined): NoticeRecord | null {
  const at = parseTime(item.created_at);
  if (!Number.isInteger(item.id) || Number.isNaN(at)) return null;
  const parsed = item.read_at === null ? Number.NaN : parseTime(item.read_at);
  const serverRead = Number.isNaN(parsed) ? null : parsed;
  // Nobody marks a notification unread again: a read mark made here wins over the server's
  // "unread", and is (re)sent until the server's list says read.
  const readAt = serverRead ?? kept?.readAt ?? null;
  return {
    key: `server:${item.id}`,
    serverId: item.id,
    kind: item.kind,
    title: { en: item.title_en || item.title_zh, zh: item.title_zh || item.title_en },
    body: { en: item.body_en || item.body_zh, zh: item.body_zh || item.body_en },
    url: item.url,
    tag: item.kind,
    at,
    count: 1,
    urgency: item.urgency,
    readAt,
    readSent: readAt === null || serverRead !== null,
  };
}

/**
 * Takes in the server's newest notifications: their rows are added or refreshed, and each push row
 * one of them covers is dropped, its read mark moving to the server rows it stood for (a summary of
 * N: the N newest of its kind up to its time).
 */
export async function mergeServer(db: NoticesDb, items: readonly ServerNotice[], now: number): Promise<void> {
  const tx = db.transaction("notices", "readwrite");
  const rows = new Map((await tx.store.getAll()).map((row) => [row.key, row]));
  const incoming: NoticeRecord[] = [];
  for (const item of items) {
    const row = fromServer(item, rows.get(`server:${item.id}`));
    if (row !== null) incoming.push(row);
  }
  const merged = new Map(incoming.map((row) => [row.key, row]));
  for (const push of rows.values()) {
    if (push.serverId !== null) continue;
    const covering = incoming.find((row) => row.kind === push.kind && Math.abs(row.at - push.at) < SAME_MOMENT_MS);
    if (covering === undefined) continue;
    await tx.store.delete(push.key);
    if (push.readAt === null) continue;
    const stood = incoming
      .filter((row) => row.kind === push.kind && row.at <= covering.at + SAME_MOMENT_MS)
      .sort((a, b) => b.at - a.at)
      .slice(0, Math.max(1, push.count));
    for (const row of stood) {
      const current = merged.get(row.key) ?? row;
      if (current.readAt === null) merged.set(row.key, { ...current, readAt: push.readAt ?? now, readSent: false });
    }
  }
  for (const row of merged.values()) await tx.store.put(row);
  await tx.done;
  await prune(db);
}

export async function clearNotices(db: NoticesDb): Promise<void> {
  await db.clear("notices");
}

async function prune(db: NoticesDb, keep: number = KEEP): Promise<void> {
  const tx = db.transaction("notices", "readwrite");
  let cursor = await tx.store.index("by_at").openCursor(null, "prev");
  let seen = 0;
  while (cursor !== null) {
    seen += 1;
    if (seen > keep) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}
