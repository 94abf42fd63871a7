// What the shell's own screens (login, home, settings, sync status) and header need beyond
// `AppServices`: logging in and out, the storage and connection status, and the banners' state.
// Task screens keep using `useServices()`; this is for the app around them.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ReadonlySignal, Signal } from "@preact/signals";
import type { AppServices } from "./services";
import type { ChooseWarehouse, Credentials } from "../session/login";
import type { SavedSession } from "../session/records";

/** Why the phone had to start over as a new device; shown until the next login. */
export type StartOverReason = "storage_lost" | "revoked" | "lost_state" | "device";

export interface LostNotice {
  readonly reason: StartOverReason;
  /** Unacknowledged ops that could not be recovered. */
  readonly count: number;
}

export interface Shell {
  readonly services: AppServices;
  /** Same signal as `services.session`, with the warehouse's names for display. */
  readonly session: Signal<SavedSession | null>;
  /** "pwa 0.1.0": sent with every push and shown in settings. */
  readonly clientVersion: string;
  /** The browser's own online/offline events (the sync state says whether the server answered). */
  readonly browserOnline: ReadonlySignal<boolean>;
  /** `navigator.storage.persist()`'s answer; null where the browser has no such thing. */
  readonly persisted: ReadonlySignal<boolean | null>;
  readonly lost: ReadonlySignal<LostNotice | null>;
  /** The device was revoked (its pushes came back held with `device_revoked`, or login said so). */
  readonly revoked: ReadonlySignal<boolean>;
  /** The token stopped working (sync halted on 401, or an API call answered 401). */
  readonly needsLogin: ReadonlySignal<boolean>;
  readonly soundOn: ReadonlySignal<boolean>;
  /** Throws `LoginError`. */
  logIn(credentials: Credentials, choose: ChooseWarehouse): Promise<SavedSession>;
  /** A fresh token for the same person and device (§9.3); throws `LoginError`. */
  logInAgain(password: string): Promise<void>;
  /** Forgets the token and the session; the outbox and device id stay for the same person. */
  logOut(): Promise<void>;
  /** Becomes a new device: drops the outbox and downloaded data (SPEC §9.4); returns ops lost. */
  startOver(reason: StartOverReason): Promise<number>;
  /** Push and pull now; resolves when that run is over. */
  syncNow(): Promise<void>;
  setSound(on: boolean): void;
  dismissLost(): void;
  /** Stops timers and streams (tests, and a page about to reload). */
  dispose(): void;
}

export const ShellContext = createContext<Shell | null>(null);

export function useShell(): Shell {
  const shell = useContext(ShellContext);
  if (shell === null) throw new Error("useShell outside <ShellContext.Provider>");
  return shell;
}
