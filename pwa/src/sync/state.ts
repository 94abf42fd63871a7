// What the UI shows about sync: how much is waiting, when it last went through, whether the
// server is reachable, and what stopped it. One plain object, replaced on every change.

import type { SyncError } from "./errors";

export interface SyncState {
  /** The last request got an answer (any status); false after a network error. */
  readonly online: boolean;
  /** Ops recorded but not yet acknowledged by the server. */
  readonly pending: number;
  readonly pushing: boolean;
  readonly pulling: boolean;
  /** A snapshot is being downloaded (the screens still show the previous data). */
  readonly snapshotInProgress: boolean;
  /** Device clock (ms) of the last push or pull that went through to the end. */
  readonly lastSyncAt: number | null;
  /** The latest problem, transient or not; cleared by the next success. */
  readonly lastError: SyncError | null;
  /** What stopped syncing until a person acts (log in, update, register); null when running. */
  readonly halted: SyncError | null;
}

export const INITIAL_STATE: SyncState = {
  online: true,
  pending: 0,
  pushing: false,
  pulling: false,
  snapshotInProgress: false,
  lastSyncAt: null,
  lastError: null,
  halted: null,
};
