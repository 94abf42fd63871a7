// The sync client (sync/SPEC.md): records ops into the outbox (`enqueue`), pushes them (§5), pulls
// the device's slice of the warehouse (§6), and keeps a `SyncState` the UI can watch. Everything it
// needs from outside — transport, clocks, timers, randomness — is injected, so the conformance
// vectors (sync/vectors/) drive it without a server.

import { discardCursor } from "../store/apply-page";
import { isJsonObject, sameJson, type JsonObject } from "../store/json";
import { readMeta, updateMeta } from "../store/meta";
import { countUnacknowledged, pruneRetained, recordOp } from "../store/outbox";
import type { DeviceMeta, OutboxOp } from "../store/records";
import type { CangkuDb } from "../store/schema";
import { SPEC_BACKOFF, realSleep, type BackoffPolicy, type Sleep } from "./backoff";
import { hlcStamps, systemClock, type DeviceClock, type StampPolicy } from "./clock";
import type { SyncContext, SyncSettings } from "./context";
import { blocksPull, type SyncError } from "./errors";
import { nodeOf } from "./hlc";
import { Observable } from "./observable";
import { pullFeed, type PullOutcome } from "./pull";
import { pushOutbox, type PushOutcome } from "./push";
import { INITIAL_STATE, type SyncState } from "./state";
import type { Transport } from "./transport";
import { formatWallTime } from "./wall-time";
import { MAX_PULL_LIMIT, PROTOCOL_VERSION, PUSH_BATCH_SIZE } from "./wire";

/** Acknowledged ops are kept this long for a server restored from a backup (§5.8). */
export const RETAIN_MS = 7 * 24 * 60 * 60 * 1000;

export interface SyncClientOptions {
  readonly db: CangkuDb;
  readonly transport: Transport;
  /** Sent as `client_version` with every push, e.g. "pwa 0.3.0". */
  readonly clientVersion: string;
  readonly clock?: DeviceClock;
  readonly stamps?: StampPolicy;
  readonly protocol?: number;
  readonly batchSize?: number;
  readonly pageLimit?: number;
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly newOpId?: () => string;
}

/** An op the app records: a past-tense fact or a request (§4, §7). */
export interface NewOp {
  readonly name: string;
  readonly payload: JsonObject;
  readonly version?: number;
  /** Give one to make recording idempotent (a retried tap); default a new UUID. */
  readonly opId?: string;
}

/** A programming error in the op handed to `enqueue`; nothing was recorded. */
export class InvalidOpError extends Error {
  override readonly name = "InvalidOpError";
}

export type SyncOutcome = { readonly push: PushOutcome; readonly pull: PullOutcome | null };

function validate(op: NewOp, opId: string, version: number): void {
  if (typeof op.name !== "string" || op.name.trim() === "") throw new InvalidOpError("an op needs a name");
  if (!Number.isSafeInteger(version) || version < 1) throw new InvalidOpError("an op's version is an integer ≥ 1");
  if (!isJsonObject(op.payload)) throw new InvalidOpError("an op's payload is a JSON object");
  if (opId.length < 8 || opId.length > 64) throw new InvalidOpError("an op_id has 8–64 characters (§4.1)");
}

export class SyncClient {
  readonly state = new Observable<SyncState>(INITIAL_STATE);
  readonly #db: CangkuDb;
  readonly #clock: DeviceClock;
  readonly #stamps: StampPolicy;
  readonly #newOpId: () => string;
  readonly #context: SyncContext;
  #push: Promise<PushOutcome> | null = null;
  #pull: Promise<PullOutcome> | null = null;

  constructor(options: SyncClientOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#stamps = options.stamps ?? hlcStamps;
    this.#newOpId = options.newOpId ?? (() => crypto.randomUUID());
    const settings: SyncSettings = {
      protocol: options.protocol ?? PROTOCOL_VERSION,
      clientVersion: options.clientVersion,
      batchSize: options.batchSize ?? PUSH_BATCH_SIZE,
      pageLimit: options.pageLimit ?? MAX_PULL_LIMIT,
      maxAttempts: options.maxAttempts ?? 6,
      backoff: options.backoff ?? SPEC_BACKOFF,
    };
    this.#context = {
      db: this.#db,
      transport: options.transport,
      clock: this.#clock,
      settings,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? realSleep,
      report: (patch) => this.state.update((state) => ({ ...state, ...patch })),
    };
  }

  get db(): CangkuDb {
    return this.#db;
  }

  /** Loads what the state shows from the database (call once after opening). */
  async refresh(): Promise<SyncState> {
    const [pending, feed] = await Promise.all([countUnacknowledged(this.#db), readMeta(this.#db, "feed")]);
    this.#report({ pending, lastSyncAt: feed.lastSyncAt, snapshotInProgress: feed.staging });
    return this.state.get();
  }

  /** Stores who the device is (§3): after registration, or logging in again with a new token. */
  async setDevice(device: DeviceMeta): Promise<void> {
    await updateMeta(this.#db, "device", () => device);
    this.resume();
  }

  /** A new token after `401 token_invalid` (§9.3): the outbox is pushed as it is. */
  async setToken(token: string): Promise<void> {
    await updateMeta(this.#db, "device", (device) => ({ ...device, token }));
    this.resume();
  }

  /** Clears a halt once the person has acted (logged in, updated the app, support fixed the data). */
  resume(): void {
    if (this.state.get().halted !== null) this.#report({ halted: null });
  }

  /**
   * Records an op: numbered, stamped and stored before this resolves — only then may the UI
   * confirm the scan (§4.1). Recording the same `opId` again returns the op already recorded.
   */
  async enqueue(op: NewOp): Promise<OutboxOp> {
    const opId = op.opId ?? this.#newOpId();
    const version = op.version ?? 1;
    validate(op, opId, version);
    const device = await readMeta(this.#db, "device");
    if (device.deviceId === null) throw new InvalidOpError("register the device before recording ops (§3)");
    const now = this.#clock.now();
    const draft = {
      opId,
      name: op.name,
      version,
      payload: op.payload,
      wallTime: formatWallTime(now, this.#clock.utcOffsetMinutes(now)),
      recordedAt: now,
    };
    const { op: recorded, created } = await recordOp(this.#db, draft, this.#stamps(nodeOf(device.deviceId), now));
    if (
      !created &&
      (recorded.name !== op.name || recorded.version !== version || !sameJson(recorded.payload, op.payload))
    ) {
      throw new InvalidOpError(`op_id ${opId} was already recorded with other content (§5.5)`);
    }
    if (created) this.#report({ pending: this.state.get().pending + 1 });
    return recorded;
  }

  /** Pushes the outbox (one push at a time: a second call joins the running one). */
  push(): Promise<PushOutcome> {
    this.#push ??= this.#runPush().finally(() => {
      this.#push = null;
    });
    return this.#push;
  }

  /** Pulls until `has_more` is false (one pull at a time). `limit`: changes per page (≤ 1000). */
  pull(options: { readonly limit?: number } = {}): Promise<PullOutcome> {
    this.#pull ??= this.#runPull(options.limit).finally(() => {
      this.#pull = null;
    });
    return this.#pull;
  }

  /** Push, pull, and push again when the pull asked for lost ops (§6.2 `resend_from`). */
  async sync(): Promise<SyncOutcome> {
    const first = await this.push();
    const pulled = await this.pull();
    const push = this.state.get().pending > 0 && first.kind === "done" ? await this.push() : first;
    return { push, pull: pulled };
  }

  /** Starts over with a snapshot at the next pull; the screens keep the current rows until it is complete. */
  async requestSnapshot(): Promise<void> {
    await discardCursor(this.#db);
    this.#report({ snapshotInProgress: false });
  }

  #report(patch: Partial<SyncState>): void {
    this.state.update((state) => ({ ...state, ...patch }));
  }

  async #finish(error: SyncError | null, halted: boolean): Promise<void> {
    const pending = await countUnacknowledged(this.#db);
    if (error !== null) {
      this.#report({ pending, lastError: error, ...(halted ? { halted: error } : {}) });
      return;
    }
    const now = this.#clock.now();
    await updateMeta(this.#db, "feed", (feed) => ({ ...feed, lastSyncAt: now }));
    this.#report({ pending, lastError: null, lastSyncAt: now });
  }

  async #runPush(): Promise<PushOutcome> {
    const halted = this.state.get().halted;
    if (halted !== null) return { kind: "halted", sent: 0, error: halted };
    this.#report({ pushing: true });
    try {
      const outcome = await pushOutbox(this.#context);
      if (outcome.kind === "done") await pruneRetained(this.#db, this.#clock.now() - RETAIN_MS);
      await this.#finish(outcome.kind === "done" ? null : outcome.error, outcome.kind === "halted");
      return outcome;
    } finally {
      this.#report({ pushing: false });
    }
  }

  async #runPull(limit: number | undefined): Promise<PullOutcome> {
    const halted = this.state.get().halted;
    if (halted !== null && blocksPull(halted)) return { kind: "halted", pages: 0, error: halted };
    this.#report({ pulling: true });
    try {
      const outcome = await pullFeed(this.#context, limit);
      await this.#finish(outcome.kind === "done" ? null : outcome.error, outcome.kind === "halted");
      return outcome;
    } finally {
      this.#report({ pulling: false });
    }
  }
}
