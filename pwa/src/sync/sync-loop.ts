// When to sync: at start, on every poke (and the poke stream's `ready`), after an op is recorded,
// when the browser comes back online, and at least every 60 s anyway (pokes may be lost, §7.3).
// Runs never overlap; a trigger during a run causes one more run. Failures wait for the backoff
// (§5.8); a lost poke stream reconnects with the same backoff.

import { SPEC_BACKOFF, backoffDelay, type BackoffPolicy } from "./backoff";
import type { SyncClient, SyncOutcome } from "./client";
import { blocksPull } from "./errors";
import type { PokeConnection, PokeSource } from "./poke";

export const PULL_EVERY_MS = 60_000;

export interface OnlineSignal {
  subscribe(listener: (online: boolean) => void): () => void;
}

/** `online` / `offline` events of the page, where there is one. */
export function browserOnlineSignal(): OnlineSignal | null {
  if (typeof window === "undefined") return null;
  return {
    subscribe(listener) {
      const on = (): void => listener(true);
      const off = (): void => listener(false);
      window.addEventListener("online", on);
      window.addEventListener("offline", off);
      return () => {
        window.removeEventListener("online", on);
        window.removeEventListener("offline", off);
      };
    },
  };
}

export interface SyncLoopOptions {
  readonly client: SyncClient;
  readonly poke?: PokeSource;
  readonly online?: OnlineSignal | null;
  readonly pullEveryMs?: number;
  readonly random?: () => number;
  readonly backoff?: BackoffPolicy;
}

function retryDelay(outcome: SyncOutcome): number | null {
  const delays = [outcome.push, outcome.pull].flatMap((o) =>
    o !== null && o.kind === "retry_later" ? [o.retryInMs] : [],
  );
  return delays.length === 0 ? null : Math.min(...delays);
}

export class SyncLoop {
  readonly #client: SyncClient;
  readonly #options: SyncLoopOptions;
  #running: Promise<void> | null = null;
  #again = false;
  #started = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pokeTimer: ReturnType<typeof setTimeout> | null = null;
  #poke: PokeConnection | null = null;
  #pokeFailures = 0;
  /** Runs in a row that ended in a transient failure: the wait before the next one grows with it. */
  #failures = 0;
  #unsubscribe: (() => void) | null = null;

  constructor(options: SyncLoopOptions) {
    this.#client = options.client;
    this.#options = options;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe =
      this.#options.online?.subscribe((online) => {
        if (!online) return;
        this.#connectPoke();
        void this.nudge();
      }) ?? null;
    this.#connectPoke();
    void this.nudge();
  }

  stop(): void {
    this.#started = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#poke?.close();
    this.#poke = null;
    for (const timer of [this.#timer, this.#pokeTimer]) if (timer !== null) clearTimeout(timer);
    this.#timer = this.#pokeTimer = null;
  }

  /**
   * Sync soon (an op was recorded, a poke came, the person logged in again); returns when the run
   * it joined is over. Also reconnects a poke stream that was closed for good (a 401).
   */
  nudge(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    if (this.#pokeTimer === null && this.#client.state.get().halted === null) this.#connectPoke();
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    let hint: number | null;
    do {
      this.#again = false;
      hint = retryDelay(await this.#client.sync());
    } while (this.#again && this.#started);
    if (hint === null) {
      this.#failures = 0;
      this.#schedule(this.#options.pullEveryMs ?? PULL_EVERY_MS);
      return;
    }
    const backoff = backoffDelay(
      this.#failures++,
      this.#options.random ?? Math.random,
      this.#options.backoff ?? SPEC_BACKOFF,
    );
    this.#schedule(Math.max(hint, backoff));
  }

  #schedule(ms: number): void {
    if (!this.#started) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.nudge();
    }, ms);
  }

  #connectPoke(): void {
    const source = this.#options.poke;
    if (source === undefined || this.#poke !== null || !this.#started) return;
    if (this.#pokeTimer !== null) {
      clearTimeout(this.#pokeTimer);
      this.#pokeTimer = null;
    }
    this.#poke = source.connect({
      onReady: () => {
        this.#pokeFailures = 0;
        void this.nudge();
      },
      onPoke: () => void this.nudge(),
      onClose: (error) => {
        this.#poke = null;
        if (!this.#started || (error !== null && blocksPull(error))) return; // needs a person: no reconnect loop
        const wait = backoffDelay(
          this.#pokeFailures++,
          this.#options.random ?? Math.random,
          this.#options.backoff ?? SPEC_BACKOFF,
        );
        this.#pokeTimer = setTimeout(() => {
          this.#pokeTimer = null;
          this.#connectPoke();
        }, wait);
      },
    });
  }
}
