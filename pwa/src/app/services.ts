// What every screen needs from the app: the local database, the sync client (to record ops) and
// the device's session. Provided once through a Preact context so screens can be rendered in tests
// with a fake-indexeddb database and no server.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Signal } from "@preact/signals";
import type { CangkuDb } from "../store/schema";
import type { SyncClient, NewOp } from "../sync/client";
import type { OutboxOp } from "../store/records";
import type { SyncState } from "../sync/state";

export interface Session {
  readonly userId: number;
  readonly username: string;
  readonly displayName: string;
  /** Permission names from the server, e.g. "sync.use", "counts.approve". */
  readonly permissions: readonly string[];
  readonly deviceId: string;
  readonly warehouseId: number;
}

export interface AppServices {
  readonly db: CangkuDb;
  readonly sync: SyncClient;
  /** The sync state, mirrored into a signal for rendering. */
  readonly syncState: Signal<SyncState>;
  /** Null until logged in and registered. */
  readonly session: Signal<Session | null>;
  /**
   * Records an op and asks for a sync soon. Resolves once the op is stored: only then may the
   * screen confirm the scan (SPEC §4.1).
   */
  readonly record: (op: NewOp) => Promise<OutboxOp>;
  /** Calls the server's JSON API with the device token; throws ApiError / NetworkError. */
  readonly api: <T>(method: string, path: string, body?: unknown) => Promise<T>;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error("useServices outside <ServicesContext.Provider>");
  return services;
}
