// Screens that read the server (the manager's day, the supervisor's queue) and must still show
// something in a basement: the last answer is kept in localStorage with the time it was fetched,
// and shown "as of 10:32, offline" when the server cannot be reached. localStorage rather than
// IndexedDB because it is one small document per screen, read synchronously before the first
// paint; the key carries the user and warehouse so a shared phone never shows one person's view
// to another.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../app/api";
import type { Bilingual } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";

export interface Cached<T> {
  /** Device clock (ms) when the server answered. */
  readonly at: number;
  readonly data: T;
}

export interface ViewStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface ViewState<T> {
  readonly data: T | null;
  /** When `data` was fetched; null when there is none. */
  readonly at: number | null;
  /** The last fetch could not reach the server: `data` is the cached view. */
  readonly offline: boolean;
  readonly loading: boolean;
  /** The server refused (permission, scope…); its words. */
  readonly error: Bilingual | null;
}

export const EMPTY_VIEW: ViewState<never> = { data: null, at: null, offline: false, loading: false, error: null };

function defaultStorage(): ViewStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked (private mode): nothing is kept
  }
}

export function viewKey(name: string, userId: number, warehouseId: number | null): string {
  return `cangku.view.${name}.${userId}.${warehouseId ?? "all"}`;
}

export function loadView<T>(key: string, storage: ViewStorage | null = defaultStorage()): Cached<T> | null {
  try {
    const text = storage?.getItem(key);
    if (text === null || text === undefined) return null;
    const parsed = JSON.parse(text) as Partial<Cached<T>>;
    return typeof parsed.at === "number" && parsed.data !== undefined ? { at: parsed.at, data: parsed.data } : null;
  } catch {
    return null; // unreadable: as if nothing was kept
  }
}

export function saveView<T>(key: string, view: Cached<T>, storage: ViewStorage | null = defaultStorage()): void {
  try {
    storage?.setItem(key, JSON.stringify(view));
  } catch {
    // quota or blocked storage: the screen still works online
  }
}

const FAILED: Bilingual = { en: "Could not load.", zh: "加载失败。" };

/** One fetch: the fresh answer (kept), or the kept one when the server is out of reach. */
export async function fetchView<T>(
  key: string,
  fetcher: () => Promise<T>,
  now: () => number = Date.now,
  storage: ViewStorage | null = defaultStorage(),
): Promise<ViewState<T>> {
  try {
    const data = await fetcher();
    const at = now();
    saveView(key, { at, data }, storage);
    return { data, at, offline: false, loading: false, error: null };
  } catch (error: unknown) {
    const kept = loadView<T>(key, storage);
    const base = { data: kept?.data ?? null, at: kept?.at ?? null, loading: false };
    if (error instanceof NetworkError) return { ...base, offline: true, error: null };
    if (error instanceof ApiError) return { ...base, offline: false, error: error.text };
    return { ...base, offline: false, error: FAILED };
  }
}

/**
 * The view for a screen: the kept answer at once (so an offline phone paints immediately), then
 * the server's. `refresh()` fetches again; a fetch that finishes after the screen is gone or after
 * a newer one is dropped. A change of `reloadOn` (a report's filters, say) fetches again under the
 * same key: one kept view per screen, whatever it was last asked.
 */
export function useLiveView<T>(
  key: string,
  fetcher: () => Promise<T>,
  reloadOn = "",
): ViewState<T> & { readonly refresh: () => Promise<void> } {
  const [state, setState] = useState<ViewState<T>>(() => {
    const kept = loadView<T>(key);
    return { data: kept?.data ?? null, at: kept?.at ?? null, offline: false, loading: true, error: null };
  });
  const latest = useRef(0);
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;

  const refresh = useCallback(async (): Promise<void> => {
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    const next = await fetchView(key, () => fetchRef.current());
    if (ticket === latest.current) setState(next);
  }, [key, reloadOn]);

  useEffect(() => {
    void refresh();
    return () => {
      latest.current += 1; // anything still in flight belongs to an unmounted screen
    };
  }, [refresh]);

  return { ...state, refresh };
}

/** "10:32" today, "11-30 10:32" another day, on the device's clock. */
export function asOfTime(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const today = new Date(now);
  const pad = (n: number): string => String(n).padStart(2, "0");
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay =
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? clock : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`;
}
