// The notification centre's conversation with the server: read marks made on the phone go up
// (retried at the next refresh while offline), the server's newest notifications come down and are
// merged with what pushes brought (store.ts). The server's list also holds what came while this
// phone had no subscription, or while Chrome's push service was out of reach.

import { ApiError } from "../app/api";
import type { Bilingual } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";
import { centreText } from "./messages";
import {
  markAllRead,
  markRead,
  mergeServer,
  noteReadsSent,
  pendingReads,
  type NoticesDb,
  type ServerNotice,
} from "./store";
import type { Api } from "./subscribe";

export const LIST_PATH = "/api/notifications?after_id=0&limit=50";
export const READ_PATH = "/api/notifications/read";

export interface NoticesPage {
  readonly items: readonly ServerNotice[];
  readonly unread: number;
}

export interface Refreshed {
  /** The server's list was merged. */
  readonly ok: boolean;
  /** The server could not be reached. */
  readonly offline: boolean;
  /** The server answered with an error (its words), or the list was unreadable. */
  readonly error: Bilingual | null;
  /** The server's unread count when it answered. */
  readonly unread: number | null;
}

/** Sends the read marks the server has not had yet; false when it could not. */
export async function sendReads(db: NoticesDb, api: Api, now: () => number): Promise<boolean> {
  const ids = await pendingReads(db);
  if (ids.length === 0) return true;
  try {
    await api("POST", READ_PATH, { ids });
  } catch {
    return false; // next refresh tries again
  }
  await noteReadsSent(db, ids, now());
  return true;
}

function isPage(value: unknown): value is NoticesPage {
  const page = value as Partial<NoticesPage> | null;
  return typeof page === "object" && page !== null && Array.isArray(page.items);
}

export async function refreshFromServer(db: NoticesDb, api: Api, now: () => number): Promise<Refreshed> {
  await sendReads(db, api, now);
  let answer: unknown;
  try {
    answer = await api<NoticesPage>("GET", LIST_PATH);
  } catch (error: unknown) {
    if (error instanceof NetworkError) return { ok: false, offline: true, error: null, unread: null };
    const text = error instanceof ApiError && error.status !== 404 ? error.text : centreText.serverList;
    return { ok: false, offline: false, error: text, unread: null };
  }
  if (!isPage(answer)) return { ok: false, offline: false, error: centreText.serverList, unread: null };
  await mergeServer(db, answer.items, now());
  // Marks made while the list was in flight go up now rather than at the next refresh.
  await sendReads(db, api, now);
  return { ok: true, offline: false, error: null, unread: typeof answer.unread === "number" ? answer.unread : null };
}

/** A tap in the centre: read here at once, and on the server when it can be reached. */
export async function openNotice(db: NoticesDb, api: Api, key: string, now: () => number): Promise<void> {
  await markRead(db, key, now());
  void sendReads(db, api, now);
}

export async function readEverything(db: NoticesDb, api: Api, now: () => number): Promise<void> {
  await markAllRead(db, now());
  try {
    await api("POST", READ_PATH, { all: true });
    await noteReadsSent(db, "all", now());
  } catch {
    // offline: the marks go up one by one at the next refresh
  }
}
